from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import BasePermission


class MFARequired(exceptions.PermissionDenied):
    default_detail = "Turn on two-factor authentication before reading patient data."
    default_code = "mfa_required"


class IsPatient(BasePermission):
    message = "Only patients can do this."
    code = "patient_only"

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_patient)


class IsClinicianWithMFA(BasePermission):
    """Clinicians read health data of others, so a stolen password alone must not be enough."""

    message = "Only clinicians can do this."
    code = "clinician_only"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_clinician):
            return False
        if not user.mfa_enabled:
            raise MFARequired()
        return True
