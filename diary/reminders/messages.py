"""What the patient reads: a reminder's title, its notification and email texts (Django
templates under templates/reminders/), and the push payload the service worker shows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string

from diary.reminders import links
from diary.reminders.models import Delivery, Reminder

SUPPLEMENT_NAMES = {
    "vitamin_d3": "Vitamin D3",
    "vitamin_d2": "Vitamin D2",
    "magnesium": "Magnesium",
    "calcium": "Calcium",
    "potassium": "Potassium",
    "other": "Supplement",
}


def _amount(value: Decimal) -> str:
    return f"{Decimal(value).normalize():,f}"


def dose_name(reminder: Reminder) -> str:
    regimen = reminder.regimen
    if regimen is None:
        return reminder.label or "Your supplement"
    name = SUPPLEMENT_NAMES.get(regimen.supplement, regimen.supplement)
    if reminder.label:
        name = reminder.label
    return f"{name} {_amount(regimen.amount)} {'µg' if regimen.unit == 'ug' else regimen.unit}"


def notification_tag(delivery: Delivery) -> str:
    """One per slot (<= 32 URL-safe characters, the Topic header's limit): a snooze or follow-up
    replaces the slot's earlier notification instead of stacking up beside it."""
    return f"r{delivery.reminder_id}-{int(delivery.scheduled_for.timestamp()) // 60}"


def yesterday_of(delivery: Delivery) -> date:
    """The date before the slot's, in the reminder's zone: the morning reminder asks about it."""
    return delivery.scheduled_for.astimezone(ZoneInfo(delivery.reminder.time_zone)).date() - timedelta(days=1)


def _body(delivery: Delivery) -> str:
    at = delivery.scheduled_for.astimezone(ZoneInfo(delivery.reminder.time_zone)).strftime("%H:%M")
    return _render("notification_body.txt", kind=delivery.kind, at=at).strip()


def _render(template: str, **context) -> str:
    # Templates end with a newline for the editor's sake; one-line texts are stripped of it.
    return render_to_string(f"reminders/{template}", context)


def push_payload(delivery: Delivery, *, ask_yesterday: bool = False) -> dict:
    """What the service worker reads: title, body, tag and the action URLs (signed, so the
    worker can POST them without the session cookie or a CSRF token).

    Browsers show two actions at most. When the day before says nothing about cramps
    (`ask_yesterday`), the second one is "No cramps yesterday" (an explicit zero in one tap);
    otherwise "Snooze"."""
    actions = [{"action": "taken", "title": "Taken", "method": "POST", "url": links.action_path(delivery.id, "taken")}]
    if delivery.kind == Delivery.Kind.REMINDER and ask_yesterday:
        actions.append(
            {
                "action": "no_cramps",
                "title": "No cramps yesterday",
                "method": "POST",
                "url": links.action_path(delivery.id, "no_cramps"),
            }
        )
    elif delivery.kind == Delivery.Kind.REMINDER:
        actions.append(
            {
                "action": "snooze",
                "title": "Snooze 30 min",
                "method": "POST",
                "url": links.action_path(delivery.id, "snooze"),
            }
        )
    return {
        "type": "supplement_reminder",
        "v": 1,
        "delivery_id": delivery.id,
        "reminder_id": delivery.reminder_id,
        "kind": delivery.kind,
        "scheduled_for": delivery.scheduled_for.isoformat().replace("+00:00", "Z"),
        "title": dose_name(delivery.reminder),
        "body": _body(delivery),
        "tag": notification_tag(delivery),
        "open_url": "/",
        "actions": actions,
    }


def email_message(delivery: Delivery, *, ask_yesterday: bool = False) -> tuple[str, str]:
    name = dose_name(delivery.reminder)
    link = settings.PUBLIC_BASE_URL + links.action_path(delivery.id, "taken")
    no_cramps_link = settings.PUBLIC_BASE_URL + links.action_path(delivery.id, "no_cramps") if ask_yesterday else ""
    yesterday = yesterday_of(delivery)
    hours = settings.REMINDER_LINK_MAX_AGE_HOURS
    body = (
        _render(
            "email_body.txt",
            body=_body(delivery),
            name=name,
            link=link,
            hours=hours,
            no_cramps_link=no_cramps_link,
            yesterday=f"{yesterday:%A} {yesterday.day} {yesterday:%B}",
        ).rstrip("\n")
        + "\n"
    )
    subject = _render("email_subject.txt", prefix=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX, name=name)
    return subject.strip(), body
