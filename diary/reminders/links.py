"""Signed action links: "Taken" in an email, "Taken" / "Snooze" in a push notification.

The token names one delivery and one action and expires (TimestampSigner): whoever holds
it can do that one thing to that one delivery, nothing else, without logging in. That is
what a one-click email link needs, and what lets the service worker act without the
session cookie or a CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

ACTIONS = ("taken", "snooze", "no_cramps")
_SALT = "diary.reminders.action-link"


class LinkInvalid(Exception):
    pass


class LinkExpired(Exception):
    pass


@dataclass(frozen=True)
class Action:
    delivery_id: int
    action: str


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def action_token(delivery_id: int, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return _signer().sign(f"{action}.{int(delivery_id)}")


def action_path(delivery_id: int, action: str) -> str:
    return reverse("reminder-action", kwargs={"token": action_token(delivery_id, action)})


def read_action_token(token: str) -> Action:
    try:
        value = _signer().unsign(token, max_age=settings.REMINDER_LINK_MAX_AGE_HOURS * 3600)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    action, _, delivery_id = value.partition(".")
    if action not in ACTIONS or not delivery_id.isdigit():
        raise LinkInvalid
    return Action(int(delivery_id), action)
