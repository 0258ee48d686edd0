from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.demo import DEMO_CLINICIAN_EMAIL, DEMO_EMAILS, DEMO_PASSWORD, DEMO_PATIENT_EMAIL, require_demo_enabled
from accounts.models import CareLink, User
from diary.dashboard.services import summaries_refresh
from diary.demo import seed_diary, seed_reminders
from diary.demo_clinic import STORIES, seed_story
from diary.models import SpasmEpisode


class Command(BaseCommand):
    help = "Create the demo patient (six months of diary) and a linked demo clinician with TOTP. Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo accounts first, so the diaries are dated from today again.",
        )

    def handle(self, *args, reset: bool = False, **options) -> None:
        require_demo_enabled()
        with transaction.atomic():
            if reset:
                emails = [*DEMO_EMAILS, *(story.email for story in STORIES)]
                deleted = User.objects.filter(email__in=emails).delete()[0]
                self.stdout.write(f"Demo accounts deleted ({deleted} rows).")
            patient = self._user(DEMO_PATIENT_EMAIL, User.Role.PATIENT, "Maya Patel", "Europe/London", "1968-05-14")
            clinician = self._user(DEMO_CLINICIAN_EMAIL, User.Role.CLINICIAN, "Dr Sam Okafor", "Europe/London", None)
            if not is_mfa_enabled(clinician):
                TOTP.activate(clinician, generate_totp_secret())
            account_services.clinician_verify(clinician=clinician)  # the demo's clinician is who they say
            self._link(patient, clinician)
            # The diary is dated relative to today: seeding again on a later day would add a
            # second, shifted copy, so an existing demo diary is left as it is (--reset starts over).
            if SpasmEpisode.objects.filter(patient=patient).exists():
                message = "Demo diary already present (`manage.py seed_demo --reset` dates it from today again)."
            else:
                summary = seed_diary(patient, patient.local_today())
                reminders = seed_reminders(patient, timezone.now())
                times = ", ".join(r.local_time.strftime("%H:%M") for r in reminders)
                message = (
                    f"Demo diary: {summary['created']} entries created; reminders at {times} ({patient.time_zone})."
                )
            clinic = [patient.id]
            for story in STORIES:
                person = self._user(story.email, User.Role.PATIENT, story.name, story.zone, story.born)
                self._link(person, clinician)
                if not SpasmEpisode.objects.filter(patient=person).exists():
                    seed_story(person, story, person.local_today())
                clinic.append(person.id)
            # The clinician's dashboard reads stored summaries; compute them now rather
            # than showing "updating" until the worker gets to them.
            summaries_refresh(clinic)
        self.stdout.write(
            f"{message}\n"
            f"Demo clinic: {len(STORIES) + 1} patients linked to the demo clinician.\n"
            f"  patient   {DEMO_PATIENT_EMAIL} / {DEMO_PASSWORD}\n"
            f"  clinician {DEMO_CLINICIAN_EMAIL} / {DEMO_PASSWORD}\n"
            f"  the clinician's two-factor code: .venv/bin/python manage.py demo_totp"
        )

    def _link(self, patient: User, clinician: User) -> None:
        if not CareLink.objects.active().filter(patient=patient, clinician=clinician).exists():
            invite = account_services.invite_create(patient=patient)
            account_services.invite_redeem(clinician=clinician, code=invite.code)

    def _user(self, email: str, role: str, name: str, zone: str, dob: str | None) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, role=role, name=name, time_zone=zone, date_of_birth=dob
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user
