"""manage.py verify_clinician EMAIL: an operator has checked this clinician's identity."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import clinician_verify
from config.api.exceptions import ValidationFailed


class Command(BaseCommand):
    help = "Mark a clinician account as verified (patients then see no 'not verified' beside the name)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The clinician's email address.")

    def handle(self, *args, email: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the email {email!r}.")
        try:
            user = clinician_verify(clinician=user)
        except ValidationFailed as exc:
            raise CommandError(exc.fields["email"][0]) from None
        self.stdout.write(
            f"{user.email} is a verified clinician since {user.clinician_verified_at:%Y-%m-%d %H:%M} UTC."
        )
