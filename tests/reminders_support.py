"""Shared pieces for the reminders tests: regimens and reminders made through the services,
browser keys, and a push service stand-in. Fixtures are in `tests.reminders_fixtures`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import Any

from accounts.models import User
from diary.kinds import REGIMEN
from diary.models import SupplementRegimen
from diary.reminders import services, transports
from diary.reminders.models import PushSubscription, Reminder
from diary.serializers import parse_entry
from diary.services import entry_create


def make_regimen(
    patient: User,
    *,
    frequency: str = "daily",
    weekdays: list[int] | None = None,
    start_date: date = date(2026, 1, 1),
    end_date: date | None = None,
    supplement: str = "vitamin_d3",
    amount: str = "1000",
    unit: str = "IU",
) -> SupplementRegimen:
    data: dict[str, Any] = {
        "supplement": supplement,
        "amount": amount,
        "unit": unit,
        "frequency": frequency,
        "weekdays": weekdays or [],
        "start_date": start_date.isoformat(),
    }
    if end_date:
        data["end_date"] = end_date.isoformat()
    values, sent = parse_entry(REGIMEN, data)
    return entry_create(kind=REGIMEN, patient=patient, values=values, sent=sent).instance


def make_reminder(patient: User, *, now: datetime, regimen: SupplementRegimen | None = None, **data) -> Reminder:
    if regimen is not None:
        data["regimen_id"] = regimen.id
    return services.reminder_create(patient=patient, data=data, now=now)


def hm(text: str) -> time:
    return time.fromisoformat(text)


@cache
def vapid_pair() -> tuple[str, str]:
    return transports.generate_vapid_keys()


@dataclass
class FakeResponse:
    status_code: int
    headers: dict = field(default_factory=dict)
    text: str = ""


@dataclass
class FakePushService:
    """Stands in for requests.Session: records each POST and answers the next status queued."""

    statuses: list[int] = field(default_factory=list)
    by_url: dict[str, int] = field(default_factory=dict)
    retry_after: str | None = None
    requests: list[dict] = field(default_factory=list)

    def post(self, url, data=None, headers=None, timeout=None, **kwargs):
        # pywebpush's header dict lower-cases names, as HTTP does.
        self.requests.append({"url": url, "data": data, "headers": {k.lower(): v for k, v in (headers or {}).items()}})
        status = self.by_url.get(url) or (self.statuses.pop(0) if self.statuses else 201)
        return FakeResponse(status, {"Retry-After": self.retry_after} if self.retry_after else {})

    def close(self) -> None:
        pass


def browser_keys() -> tuple[Any, str, str]:
    """A browser's subscription keys: (private key to decrypt with, p256dh, auth)."""
    import base64
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    auth = os.urandom(16)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return key, b64(public), b64(auth)


def subscribe(user: User, endpoint: str = "https://fcm.googleapis.com/fcm/send/abc") -> tuple[PushSubscription, Any]:
    key, p256dh, auth = browser_keys()
    subscription = PushSubscription.objects.create(user=user, endpoint=endpoint, p256dh=p256dh, auth=auth)
    return subscription, key


def decrypt(body: bytes, key, auth: str) -> bytes:
    import base64

    import http_ece

    return http_ece.decrypt(
        body, private_key=key, auth_secret=base64.urlsafe_b64decode(auth + "=" * (-len(auth) % 4)), version="aes128gcm"
    )
