"""Writes for reminders: schedules, push subscriptions, and the "Taken" / "Snooze" actions.

The beat tick and the send path live in `tick` and `send`; these are the patient's own actions.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from config.api.exceptions import Conflict, NotFound, ValidationFailed
from diary.kinds import DOSE
from diary.models import DailyCheckin, SupplementDose, SupplementRegimen
from diary.reminders import schedule, transports
from diary.reminders.links import LINK_USED_FIELDS, LinkUsed
from diary.reminders.models import Delivery, PushSubscription, Reminder
from diary.reminders.schedule import ReminderSchedule
from diary.services import Outcome, entry_create, no_cramps_record

# Defaults for a reminder made from a regimen: a daily dose with breakfast, the weekly
# loading dose a little later on its day.
DAILY_DEFAULT_TIME = time(8, 0)
WEEKLY_DEFAULT_TIME = time(9, 0)
DEFAULT_SNOOZE_MINUTES = 30
# Names the dose a "Taken" creates: one dose per slot, whichever button, however often.
_DOSE_NAMESPACE = uuid.UUID("6f1c2a52-3b7e-4d8e-9a55-0d2c7f3e9b41")
_SCHEDULE_FIELDS = ("local_time", "weekdays", "quiet_start", "quiet_end", "enabled")


class ReminderExists(Conflict):
    code = "reminder_exists"
    message = "There is already a reminder for this regimen at this time."


class AlreadyTaken(Conflict):
    code = "already_taken"
    message = "This dose is already logged as taken."


def _field_error(name: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed.field(name, message, code)


# --- schedules ----------------------------------------------------------------------------
def reminder_schedule(reminder: Reminder, tz: str) -> ReminderSchedule:
    regimen = reminder.regimen
    return ReminderSchedule.of(
        local_time=reminder.local_time,
        tz=tz,
        weekdays=reminder.weekdays,
        quiet_start=reminder.quiet_start,
        quiet_end=reminder.quiet_end,
        start_date=regimen.start_date if regimen else None,
        end_date=regimen.end_date if regimen else None,
    )


def _schedule_next(reminder: Reminder, tz: str, now: datetime) -> datetime | None:
    if not reminder.enabled:
        return None
    return reminder_schedule(reminder, tz).next_after(now)


def regimen_defaults(regimen: SupplementRegimen) -> dict[str, Any]:
    if regimen.frequency == SupplementRegimen.Frequency.WEEKLY:
        return {
            "local_time": WEEKLY_DEFAULT_TIME,
            "weekdays": list(regimen.weekdays or [regimen.start_date.isoweekday()]),
        }
    if regimen.frequency == SupplementRegimen.Frequency.WEEKDAYS:
        return {"local_time": DAILY_DEFAULT_TIME, "weekdays": list(regimen.weekdays)}
    return {"local_time": DAILY_DEFAULT_TIME, "weekdays": []}


def _patient_regimen(patient: User, regimen_id: uuid.UUID, now: datetime) -> SupplementRegimen:
    regimen = SupplementRegimen.objects.filter(patient=patient, id=regimen_id).first()
    if regimen is None:
        raise _field_error("regimen_id", "No regimen with this id in your diary.", "does_not_exist")
    if regimen.end_date is not None and regimen.end_date < patient.local_today(now):
        raise _field_error("regimen_id", f"This regimen ended on {regimen.end_date.isoformat()}.", "regimen_ended")
    return regimen


def _check_unique(reminder: Reminder) -> None:
    if reminder.regimen_id is None:
        return
    other = (
        Reminder.objects.filter(regimen_id=reminder.regimen_id, local_time=reminder.local_time)
        .exclude(id=reminder.id)
        .first()
    )
    if other is not None:
        raise ReminderExists(current=other)


def _validate(reminder: Reminder) -> None:
    # Before any schedule arithmetic (which assumes valid values); uniqueness answers 409
    # with the stored row (_save), not a 400 from full_clean.
    try:
        reminder.full_clean(validate_constraints=False)
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


def _save(reminder: Reminder) -> Reminder:
    _check_unique(reminder)
    try:
        with transaction.atomic():
            reminder.save()
    except IntegrityError:
        _check_unique(reminder)  # lost a race with the same regimen and time
        raise
    return reminder


def reminder_create(*, patient: User, data: dict[str, Any], now: datetime | None = None) -> Reminder:
    """A schedule for one patient; from a regimen, time and days default to the regimen's."""
    now = now or timezone.now()
    regimen = None
    values = dict(data)
    regimen_id = values.pop("regimen_id", None)
    if regimen_id is not None:
        regimen = _patient_regimen(patient, regimen_id, now)
        for name, value in regimen_defaults(regimen).items():
            values.setdefault(name, value)
    if values.get("local_time") is None:
        raise _field_error("local_time", "Give a time, or create the reminder from a regimen.", "required")
    reminder = Reminder(patient=patient, regimen=regimen, time_zone=patient.time_zone, **values)
    _validate(reminder)
    reminder.next_fire_at = _schedule_next(reminder, patient.time_zone, now)
    return _save(reminder)


def reminder_update(*, reminder: Reminder, data: dict[str, Any], now: datetime | None = None) -> Reminder:
    now = now or timezone.now()
    values = dict(data)
    if "regimen_id" in values and values.pop("regimen_id") != reminder.regimen_id:
        raise _field_error("regimen_id", "A reminder keeps its regimen; create a new reminder instead.")
    with transaction.atomic():
        # Serialises with a tick holding this row, so neither overwrites the other's next_fire_at.
        locked = (
            Reminder.objects.select_for_update(of=("self",)).select_related("patient", "regimen").get(id=reminder.id)
        )
        for name, value in values.items():
            setattr(locked, name, value)
        _validate(locked)
        if any(name in values for name in _SCHEDULE_FIELDS):
            locked.time_zone = locked.patient.time_zone
            locked.next_fire_at = _schedule_next(locked, locked.time_zone, now)
        return _save(locked)


def reminder_delete(*, reminder: Reminder) -> None:
    reminder.delete()


def reminders_reschedule(*, patient: User | None = None, regimen: SupplementRegimen | None = None) -> int:
    """Recompute next_fire_at after the patient moved zone or a regimen's dates changed."""
    now = timezone.now()
    reminders = Reminder.objects.filter(enabled=True).select_related("patient", "regimen")
    if patient is not None:
        reminders = reminders.filter(patient=patient).exclude(time_zone=patient.time_zone)
    if regimen is not None:
        reminders = reminders.filter(regimen=regimen)
    changed = 0
    for reminder in reminders:
        tz = reminder.patient.time_zone
        new = _schedule_next(reminder, tz, now)
        if new != reminder.next_fire_at or tz != reminder.time_zone:
            changed += Reminder.objects.filter(id=reminder.id, next_fire_at=reminder.next_fire_at).update(
                next_fire_at=new, time_zone=tz
            )
    return changed


# --- push subscriptions -------------------------------------------------------------------
def _b64url_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def push_subscription_register(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """One row per endpoint: a browser that re-subscribes, or changes hands, updates it."""
    if not transports.endpoint_allowed(endpoint):
        raise _field_error("endpoint", "This is not the address of a known web push service.", "push_service_unknown")
    key = _b64url_bytes(p256dh)
    if key is None or len(key) != 65 or key[0] != 4:
        raise _field_error("keys.p256dh", "Expected the subscription's 65-byte P-256 key, base64url.")
    secret = _b64url_bytes(auth)
    if secret is None or len(secret) != 16:
        raise _field_error("keys.auth", "Expected the subscription's 16-byte auth secret, base64url.")
    defaults = {"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]}
    for _ in range(2):
        try:
            with transaction.atomic():
                return PushSubscription.objects.update_or_create(endpoint=endpoint, defaults=defaults)
        except IntegrityError:  # the same browser registered twice at once: the second updates
            continue
    raise RuntimeError("could not register the push subscription")


def push_subscription_delete(*, subscription: PushSubscription) -> None:
    subscription.delete()


# --- actions on a delivery ----------------------------------------------------------------
@dataclass(frozen=True)
class Taken:
    delivery: Delivery
    dose: SupplementDose | None
    created: bool


def slot_dose_id(reminder_id: int, scheduled_for: datetime) -> uuid.UUID:
    return uuid.uuid5(_DOSE_NAMESPACE, f"{reminder_id}/{scheduled_for.astimezone(UTC).isoformat()}")


def _lock_slot(delivery: Delivery) -> Delivery:
    """The slot's own delivery (kind reminder), row-locked: actions on one slot queue up here."""
    return (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("reminder__patient", "reminder__regimen")
        .get(reminder_id=delivery.reminder_id, scheduled_for=delivery.scheduled_for, kind=Delivery.Kind.REMINDER)
    )


def delivery_taken(*, delivery: Delivery, taken_at: datetime | None = None, now: datetime | None = None) -> Taken:
    """Log the slot's dose, once: the dose id is derived from the slot, and the slot is locked."""
    now = now or timezone.now()
    with transaction.atomic():
        root = _lock_slot(delivery)
        reminder = root.reminder
        if root.status == Delivery.Status.TAKEN:
            # Already taken: answer what is there. If the patient has since deleted the dose
            # (dose is then null), it stays deleted: pressing again, or an old email link,
            # must not bring it back.
            return Taken(root, root.dose, created=False)
        if taken_at is None:
            # Pressed from an old delivery in the list: the dose belongs to the slot's day.
            taken_at = now if now - root.scheduled_for <= timedelta(hours=24) else root.scheduled_for
        dose, created = None, False
        if reminder.regimen is not None:
            dose, created = _log_dose(reminder, root, taken_at)
        Delivery.objects.filter(reminder_id=root.reminder_id, scheduled_for=root.scheduled_for).update(
            status=Delivery.Status.TAKEN, taken_at=taken_at, follow_up_due_at=None, lease_until=None
        )
        if dose is not None:
            Delivery.objects.filter(id=root.id).update(dose=dose)
        root.refresh_from_db()
    return Taken(root, dose, created)


def _log_dose(reminder: Reminder, root: Delivery, taken_at: datetime) -> tuple[SupplementDose, bool]:
    regimen = reminder.regimen
    dose_id = slot_dose_id(reminder.id, root.scheduled_for)
    values = {
        "taken_at": taken_at,
        "supplement": regimen.supplement,
        "amount": regimen.amount,
        "unit": regimen.unit,
        "regimen_id": regimen.id,
        "notes": "Logged from a reminder.",
    }
    try:
        outcome = entry_create(kind=DOSE, patient=reminder.patient, values=values, entry_id=dose_id)
    except Conflict:
        # This slot's dose exists already (same derived id): that is the one.
        dose = SupplementDose.objects.filter(id=dose_id, patient=reminder.patient).first()
        if dose is None:
            raise
        return dose, False
    return outcome.instance, outcome.status == "created"


def delivery_no_cramps(*, delivery: Delivery) -> Outcome:
    """ "No cramps yesterday" from the morning reminder: the explicit zero for the day before
    the slot's date, idempotent (diary.services.no_cramps_record)."""
    reminder = Reminder.objects.select_related("patient").get(id=delivery.reminder_id)
    day = delivery.scheduled_for.astimezone(ZoneInfo(reminder.time_zone)).date() - timedelta(days=1)
    return no_cramps_record(patient=reminder.patient, day=day)


def delivery_snooze(
    *, delivery: Delivery, minutes: int = DEFAULT_SNOOZE_MINUTES, now: datetime | None = None
) -> tuple[Delivery, bool]:
    """One more notification `minutes` from now, once per slot: a second press answers the first snooze."""
    now = now or timezone.now()
    with transaction.atomic():
        root = _lock_slot(delivery)
        if root.status == Delivery.Status.TAKEN:
            raise AlreadyTaken()
        existing = Delivery.objects.filter(
            reminder_id=root.reminder_id, scheduled_for=root.scheduled_for, kind=Delivery.Kind.SNOOZE
        ).first()
        if existing is not None:
            return existing, False
        snooze = Delivery.objects.create(
            reminder_id=root.reminder_id,
            kind=Delivery.Kind.SNOOZE,
            scheduled_for=root.scheduled_for,
            fire_at=schedule.snooze_until(now, minutes),
            status=Delivery.Status.SCHEDULED,
            created_at=now,
        )
        Delivery.objects.filter(id=root.id).exclude(status=Delivery.Status.TAKEN).update(
            status=Delivery.Status.SNOOZED, lease_until=None
        )
    return snooze, True


# --- the signed links ---------------------------------------------------------------------
@dataclass(frozen=True)
class LinkOutcome:
    action: str
    delivery: Delivery
    dose: SupplementDose | None = None
    snooze: Delivery | None = None
    checkin: DailyCheckin | None = None


def action_link_run(*, delivery_id: int, action: str, now: datetime | None = None) -> LinkOutcome:
    """Carry out a signed link's action, once. The link's use is claimed with a conditional
    UPDATE in the same transaction as the action: a second use (a retried POST, a forwarded
    email) finds it claimed and does nothing, and an action that fails un-claims it."""
    now = now or timezone.now()
    used_field = LINK_USED_FIELDS[action]
    with transaction.atomic():
        claimed = Delivery.objects.filter(id=delivery_id, **{f"{used_field}__isnull": True}).update(**{used_field: now})
        if claimed != 1:
            if not Delivery.objects.filter(id=delivery_id).exists():
                raise NotFound("This reminder no longer exists.")
            raise LinkUsed()
        delivery = Delivery.objects.get(id=delivery_id)
        if action == "taken":
            taken = delivery_taken(delivery=delivery, now=now)
            return LinkOutcome("taken", taken.delivery, dose=taken.dose)
        if action == "no_cramps":
            return LinkOutcome("no_cramps", delivery, checkin=delivery_no_cramps(delivery=delivery).instance)
        snooze, _ = delivery_snooze(delivery=delivery, now=now)
        delivery.refresh_from_db()
        return LinkOutcome("snooze", delivery, snooze=snooze)
