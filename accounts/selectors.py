"""Reads for accounts, each scoped to the viewer."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from accounts.models import AccessEvent, CareLink, InviteCode, User
from config.api.exceptions import NotFound


def invite_list(*, patient: User) -> QuerySet[InviteCode]:
    return InviteCode.objects.filter(patient=patient).select_related("redeemed_by")


def care_link_list_for_patient(*, patient: User) -> QuerySet[CareLink]:
    return CareLink.objects.filter(patient=patient).select_related("clinician")


def linked_patients(*, clinician: User) -> QuerySet[User]:
    return User.objects.filter(
        role=User.Role.PATIENT,
        clinician_links__clinician=clinician,
        clinician_links__revoked_at__isnull=True,
    )


def linked_patient_get(*, clinician: User, patient_id: uuid.UUID | str) -> User:
    """The patient, if this clinician holds an active link right now; 404 otherwise.

    Checked against the database on every request, never cached, so a revoke takes
    effect on the clinician's very next request.
    """
    try:
        return linked_patients(clinician=clinician).get(id=patient_id)
    except (User.DoesNotExist, ValueError):
        raise NotFound() from None


def access_event_list(*, patient: User) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(patient=patient).select_related("clinician")
