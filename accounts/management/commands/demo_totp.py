from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_CLINICIAN_EMAIL, DEMO_EMAILS, require_demo_enabled


class Command(BaseCommand):
    help = "Print the current two-factor (TOTP) code of a demo account. Refused outside demo settings."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--email", default=DEMO_CLINICIAN_EMAIL, help="A demo account (default: the demo clinician)."
        )

    def handle(self, *args, email: str, **options) -> None:
        require_demo_enabled()
        if email not in DEMO_EMAILS:
            raise CommandError(f"Only demo accounts ({', '.join(DEMO_EMAILS)}) have their codes printed.")
        authenticator = Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(f"{email} has no TOTP set up. Run `manage.py seed_demo` first.")
        secret = decrypt(authenticator.data["secret"])
        code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
        self.stdout.write(code)
