"""One place that decides whose data a request may read.

Diary, trend and reminder views are served on two paths: the patient's own
(`/api/v1/diary/...`) and a linked clinician's (`/api/v1/clinician/patients/<id>/diary/...`).
Views mix in `SubjectMixin` and call `get_subject()`; it returns the patient whose rows
the request may see, writes the access-log event for a clinician read, and raises 404 for
anyone without an active link.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.request import Request

from accounts.models import User
from accounts.permissions import MFARequired
from accounts.selectors import linked_patient_get
from accounts.services import access_event_record
from config.client_ip import client_ip


class PatientOnly(exceptions.PermissionDenied):
    default_detail = "Only patients keep a diary; clinicians read theirs through /api/v1/clinician/patients/."
    default_code = "patient_only"


def resolve_subject(request: Request, patient_id, resource: str) -> tuple[User, bool]:
    """(patient, read_by_clinician). Records the access event for a clinician read."""
    user: User = request.user
    if patient_id is None:
        if not user.is_patient:
            raise PatientOnly()
        return user, False
    if not user.is_clinician:
        raise exceptions.NotFound()
    if not user.mfa_enabled:
        raise MFARequired()
    patient = linked_patient_get(clinician=user, patient_id=patient_id)
    access_event_record(clinician=user, patient=patient, resource=resource, ip_address=client_ip(request))
    return patient, True


class SubjectMixin:
    """Resolves the subject once per request (so one read writes one access event)."""

    access_resource: str = ""

    def get_subject(self) -> User:
        cached = getattr(self, "_subject", None)
        if cached is None:
            patient_id = self.kwargs.get("patient_id")
            cached = resolve_subject(self.request, patient_id, self.access_resource)
            self._subject = cached
        return cached[0]

    @property
    def read_by_clinician(self) -> bool:
        """Whether this request reads a patient's data as their clinician (after get_subject)."""
        self.get_subject()
        return self._subject[1]
