"""Signed action links: "Taken" in an email, "Taken" / "Snooze" in a push notification.

The token names one delivery and one action and expires (TimestampSigner): whoever holds
it can do that one thing to that one delivery, once, nothing else, without logging in.
Opening the link (GET) only shows a confirmation page, because mail scanners open links;
its button POSTs. The service worker POSTs the same URL without the session cookie.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from config.api.exceptions import Gone, NotFound

ACTIONS = ("taken", "snooze", "no_cramps")
# The Delivery column that records each action's link as used.
LINK_USED_FIELDS = {
    "taken": "taken_link_used_at",
    "snooze": "snooze_link_used_at",
    "no_cramps": "no_cramps_link_used_at",
}
_SALT = "diary.reminders.action-link"


class LinkInvalid(NotFound):
    # A token that names no link: as for any URL that names nothing, 404.
    code = "link_invalid"
    message = "This link is not valid. Open the app to log your dose."


class LinkExpired(Gone):
    code = "link_expired"
    message = "This link has expired. Open the app to log your dose."


class LinkUsed(Gone):
    code = "link_used"
    message = "This link has already been used. Open the app to see your reminders."


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
