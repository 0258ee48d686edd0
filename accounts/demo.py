"""The demo accounts `make run` creates, named once so the seed command, the TOTP helper
and the README agree."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

DEMO_PATIENT_EMAIL = "patient@demo.test"
DEMO_CLINICIAN_EMAIL = "clinician@demo.test"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (public demo login, refused in production)
DEMO_EMAILS = (DEMO_PATIENT_EMAIL, DEMO_CLINICIAN_EMAIL)


def require_demo_enabled() -> None:
    # Demo logins and a printed TOTP code would be a back door on a real server.
    if not getattr(settings, "DEMO_ACCOUNTS_ENABLED", False):
        raise CommandError(
            "Demo accounts are disabled in these settings (DEMO_ACCOUNTS_ENABLED is False, as in production)."
        )
