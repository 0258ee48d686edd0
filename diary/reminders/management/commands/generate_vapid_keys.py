from django.core.management.base import BaseCommand

from diary.reminders.transports import generate_vapid_keys


class Command(BaseCommand):
    help = "Print a new VAPID key pair for web push, as environment variable lines."

    def handle(self, *args, **options) -> None:
        private, public = generate_vapid_keys()
        self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"WEBPUSH_VAPID_PUBLIC_KEY={public}")
        self.stderr.write("Keep the private key secret. Changing the pair invalidates every browser's subscription.")
