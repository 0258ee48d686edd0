from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.demo import DEMO_CLINICIAN_EMAIL, DEMO_PASSWORD, DEMO_PATIENT_EMAIL, require_demo_enabled
from accounts.models import CareLink, User
from diary.dashboard.services import summaries_refresh
from diary.demo import seed_diary, seed_reminders
from diary.models import SpasmEpisode


class Command(BaseCommand):
    help = "Create the demo patient (six months of diary) and a linked demo clinician with TOTP. Safe to run again."

    def handle(self, *args, **options) -> None:
        require_demo_enabled()
        with transaction.atomic():
            patient = self._user(DEMO_PATIENT_EMAIL, User.Role.PATIENT, "Maya Patel", "Europe/London", "1968-05-14")
            clinician = self._user(DEMO_CLINICIAN_EMAIL, User.Role.CLINICIAN, "Dr Sam Okafor", "Europe/London", None)
            if not is_mfa_enabled(clinician):
                TOTP.activate(clinician, generate_totp_secret())
            account_services.clinician_verify(clinician=clinician)  # the demo's clinician is who they say
            if not CareLink.objects.active().filter(patient=patient, clinician=clinician).exists():
                invite = account_services.invite_create(patient=patient)
                account_services.invite_redeem(clinician=clinician, code=invite.code)
            # The diary is dated relative to today: seeding again on a later day would add a
            # second, shifted copy, so an existing demo diary is left as it is.
            if SpasmEpisode.objects.filter(patient=patient).exists():
                message = "Demo diary already present (delete the demo patient to seed again)."
            else:
                summary = seed_diary(patient, patient.local_today())
                reminders = seed_reminders(patient, timezone.now())
                times = ", ".join(r.local_time.strftime("%H:%M") for r in reminders)
                message = (
                    f"Demo diary: {summary['created']} entries created; reminders at {times} ({patient.time_zone})."
                )
            # The clinician's dashboard reads stored summaries; compute this one now rather
            # than showing "updating" until the worker gets to it.
            summaries_refresh([patient.id])
        self.stdout.write(
            f"{message}\n"
            f"  patient   {DEMO_PATIENT_EMAIL} / {DEMO_PASSWORD}\n"
            f"  clinician {DEMO_CLINICIAN_EMAIL} / {DEMO_PASSWORD}  (two-factor code: `python manage.py demo_totp`)"
        )

    def _user(self, email: str, role: str, name: str, zone: str, dob: str | None) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, role=role, name=name, time_zone=zone, date_of_birth=dob
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user
