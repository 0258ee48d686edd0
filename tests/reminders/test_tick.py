"""The beat tick, driven minute by minute with a given `now`: DST, catch-up, grace,
snooze, follow-up, and the guarantees that keep a slot to one delivery."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.services import user_update
from diary.kinds import DOSE
from diary.reminders import services
from diary.reminders import tick as tick_module
from diary.reminders.models import Delivery, Reminder
from diary.serializers import parse_entry
from diary.services import entry_create
from tests.reminders_support import hm, make_regimen, make_reminder

pytestmark = pytest.mark.django_db

NEW_YORK, LONDON = "America/New_York", "Europe/London"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at(zone: str, *args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def on(zone: str, day: date, days: int, hour: int) -> datetime:
    """`hour`:00 local, `days` after `day`."""
    d = day + timedelta(days=days)
    return at(zone, d.year, d.month, d.day, hour)


def tick_every(tick, start: datetime, end: datetime, minutes: int = 30) -> None:
    """A beat every `minutes`, and a worker that sends whatever each tick enqueued."""
    now = start
    while now <= end:
        tick(now)
        Delivery.objects.filter(status="pending").update(status="sent", sent_at=now, lease_until=None)
        now += timedelta(minutes=minutes)


def slots(reminder: Reminder, kind: str = "reminder") -> list[tuple[str, str]]:
    """(local wall time ISO with offset, status) of each delivery, oldest first."""
    zone = ZoneInfo(reminder.time_zone)
    return [
        (d.scheduled_for.astimezone(zone).isoformat(), d.status)
        for d in Delivery.objects.filter(reminder=reminder, kind=kind).order_by("scheduled_for")
    ]


@pytest.fixture
def patient_in(patient):
    def move(zone: str):
        user_update(user=patient, data={"time_zone": zone})
        return patient

    return move


# --- DST, through the tick ----------------------------------------------------------------
SPRING = {NEW_YORK: date(2026, 3, 8), LONDON: date(2026, 3, 29)}
FALL = {NEW_YORK: date(2026, 11, 1), LONDON: date(2026, 10, 25)}


@pytest.mark.parametrize("zone", [NEW_YORK, LONDON])
@pytest.mark.parametrize("change", ["spring", "fall"])
def test_0800_daily_stays_0800_local_on_both_sides_of_a_change(patient_in, tick, enqueued, zone, change):
    patient = patient_in(zone)
    day = (SPRING if change == "spring" else FALL)[zone]
    reminder = make_reminder(patient, now=on(zone, day, -2, 6), local_time=hm("08:00"))

    tick_every(tick, on(zone, day, -2, 6), on(zone, day, 2, 10))

    got = slots(reminder)
    assert [wall[11:16] for wall, _ in got] == ["08:00"] * 5
    assert [wall[:10] for wall, _ in got] == [(day + timedelta(days=n)).isoformat() for n in range(-2, 3)]
    assert {status for _, status in got} == {"sent"}
    # The UTC instant moved by the hour the clocks did: 08:00 local both times.
    offsets = {wall[-6:] for wall, _ in got}
    assert len(offsets) == 2, offsets
    assert len(enqueued) == 5


@pytest.mark.parametrize(
    ("zone", "wall", "rings"),
    [
        (NEW_YORK, "02:30", "2026-03-08T03:00:00-04:00"),  # 02:00-03:00 does not exist
        (LONDON, "01:30", "2026-03-29T02:00:00+01:00"),  # 01:00-02:00 does not exist
    ],
)
def test_a_time_inside_the_spring_gap_rings_at_the_first_valid_minute(patient_in, tick, zone, wall, rings):
    patient = patient_in(zone)
    day = SPRING[zone]
    reminder = make_reminder(patient, now=on(zone, day, -1, 12), local_time=hm(wall))

    tick_every(tick, on(zone, day, -1, 12), on(zone, day, 0, 12), 15)

    assert slots(reminder) == [(rings, "sent")]


@pytest.mark.parametrize(
    ("zone", "wall", "first", "second"),
    [
        (NEW_YORK, "01:30", "2026-11-01T01:30:00-04:00", utc(2026, 11, 1, 6, 30)),
        (LONDON, "01:30", "2026-10-25T01:30:00+01:00", utc(2026, 10, 25, 1, 30)),
    ],
)
def test_an_ambiguous_fall_back_time_rings_once(patient_in, tick, zone, wall, first, second):
    patient = patient_in(zone)
    day = FALL[zone]
    reminder = make_reminder(patient, now=on(zone, day, -1, 12), local_time=hm(wall))

    tick_every(tick, on(zone, day, -1, 12), on(zone, day, 0, 12), 15)

    assert slots(reminder) == [(first, "sent")]
    # The repeated 01:30 passed by a tick without ringing again.
    assert not Delivery.objects.filter(scheduled_for=second).exists()


def test_weekly_and_chosen_weekdays_ring_only_on_their_days(patient, tick):
    now = utc(2026, 6, 1, 5)  # a Monday
    weekly = make_reminder(patient, now=now, regimen=make_regimen(patient, frequency="weekly", weekdays=[7]))
    weekdays = make_reminder(patient, now=now, local_time=hm("07:00"), weekdays=[1, 3, 5])

    tick_every(tick, now, now + timedelta(days=14), 60)

    assert [wall for wall, _ in slots(weekly)] == ["2026-06-07T09:00:00+01:00", "2026-06-14T09:00:00+01:00"]
    assert [date.fromisoformat(wall[:10]).isoweekday() for wall, _ in slots(weekdays)] == [1, 3, 5, 1, 3, 5]


def test_quiet_hours_move_the_slot_to_their_end(patient, tick):
    now = utc(2026, 6, 1, 12)
    reminder = make_reminder(patient, now=now, local_time=hm("06:30"), quiet_start=hm("22:00"), quiet_end=hm("07:00"))
    tick_every(tick, now, now + timedelta(days=1), 15)
    assert slots(reminder) == [("2026-06-02T07:00:00+01:00", "sent")]


# --- catch-up and grace -------------------------------------------------------------------
def test_after_a_20_minute_outage_the_slot_is_sent_once_late(patient, tick, enqueued):
    reminder = make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("08:00"))  # 07:00Z
    tick(utc(2026, 6, 1, 6, 59))
    assert enqueued == []

    report = tick(utc(2026, 6, 1, 7, 20))  # nothing ran from 07:00Z to 07:20Z
    tick(utc(2026, 6, 1, 7, 21))
    tick(utc(2026, 6, 1, 7, 22))

    assert (report.claimed, report.enqueued, report.missed) == (1, 1, 0)
    assert slots(reminder) == [("2026-06-01T08:00:00+01:00", "pending")]
    assert len(enqueued) == 1
    reminder.refresh_from_db()
    assert reminder.next_fire_at == utc(2026, 6, 2, 7)


def test_a_slot_older_than_the_grace_is_recorded_missed_not_sent(patient, tick, enqueued):
    reminder = make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("08:00"))
    report = tick(utc(2026, 6, 1, 9, 1))  # 2 h 1 min after the slot
    assert (report.claimed, report.enqueued, report.missed) == (1, 0, 1)
    assert slots(reminder) == [("2026-06-01T08:00:00+01:00", "missed")]
    assert enqueued == []


def test_the_grace_boundary_is_inclusive_and_configurable(patient, tick, settings):
    make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("08:00"))
    assert tick(utc(2026, 6, 1, 9)).enqueued == 1  # exactly 2 h late: still sent
    settings.REMINDER_GRACE_MINUTES = 30
    make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("08:10"))
    assert tick(utc(2026, 6, 1, 7, 41)).missed == 1  # 31 min late with a 30 min grace


def test_a_three_day_outage_sends_the_last_slot_and_records_the_others(patient, tick, enqueued):
    reminder = make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("08:00"))
    tick(utc(2026, 6, 3, 7, 30))
    tick(utc(2026, 6, 3, 7, 31))
    assert slots(reminder) == [
        ("2026-06-01T08:00:00+01:00", "missed"),
        ("2026-06-02T08:00:00+01:00", "missed"),
        ("2026-06-03T08:00:00+01:00", "pending"),
    ]
    assert len(enqueued) == 1


# --- snooze and follow-up -----------------------------------------------------------------
def _sent_delivery(patient, tick, **reminder_data) -> Delivery:
    make_reminder(patient, now=utc(2026, 6, 1, 6), **reminder_data)
    tick(utc(2026, 6, 1, 7))
    delivery = Delivery.objects.get(kind="reminder")
    Delivery.objects.filter(id=delivery.id).update(status="sent")
    return delivery


def test_a_snooze_fires_once_after_its_minutes(patient, tick, enqueued):
    delivery = _sent_delivery(patient, tick, local_time=hm("08:00"))
    snooze, created = services.delivery_snooze(delivery=delivery, minutes=30, now=utc(2026, 6, 1, 7, 2))
    again, created_again = services.delivery_snooze(delivery=delivery, minutes=30, now=utc(2026, 6, 1, 7, 3))
    assert (created, created_again, again.id) == (True, False, snooze.id)
    enqueued.clear()

    assert tick(utc(2026, 6, 1, 7, 31)).snoozes == 0
    assert tick(utc(2026, 6, 1, 7, 32)).snoozes == 1
    assert tick(utc(2026, 6, 1, 7, 33)).snoozes == 0
    assert tick(utc(2026, 6, 1, 7, 40)).snoozes == 0
    assert enqueued == [snooze.id]
    assert Delivery.objects.get(id=delivery.id).status == "snoozed"
    # Snoozing the snooze does not ring a third time.
    _, created = services.delivery_snooze(delivery=snooze, minutes=30, now=utc(2026, 6, 1, 7, 40))
    assert created is False


def test_a_daily_regimen_gets_one_follow_up_when_no_dose_is_logged(patient, tick, enqueued):
    delivery = _sent_delivery(patient, tick, regimen=make_regimen(patient))
    enqueued.clear()
    assert tick(utc(2026, 6, 1, 8, 59)).follow_ups == 0  # the window is 2 h from 07:00Z
    assert tick(utc(2026, 6, 1, 9, 0)).follow_ups == 1
    assert tick(utc(2026, 6, 1, 9, 1)).follow_ups == 0
    assert tick(utc(2026, 6, 1, 9, 5)).follow_ups == 0
    follow_up = Delivery.objects.get(kind="follow_up")
    assert (follow_up.scheduled_for, follow_up.status) == (delivery.scheduled_for, "pending")
    assert enqueued == [follow_up.id]


@pytest.mark.parametrize("how", ["taken", "by_hand_with_regimen", "by_hand_same_supplement"])
def test_no_follow_up_once_the_dose_is_logged(patient, tick, enqueued, how):
    regimen = make_regimen(patient)
    delivery = _sent_delivery(patient, tick, regimen=regimen)
    if how == "taken":
        services.delivery_taken(delivery=delivery, taken_at=utc(2026, 6, 1, 7, 30))
    else:
        data = {"taken_at": "2026-06-01T06:45:00Z", "supplement": "vitamin_d3", "amount": "25", "unit": "ug"}
        if how == "by_hand_with_regimen":
            data["regimen_id"] = str(regimen.id)
        entry_create(kind=DOSE, patient=patient, values=parse_entry(DOSE, data)[0])
    enqueued.clear()
    assert tick(utc(2026, 6, 1, 9, 0)).follow_ups == 0
    assert not Delivery.objects.filter(kind="follow_up").exists()


def test_weekly_regimens_and_reminders_without_regimen_get_no_follow_up(patient, tick):
    make_reminder(patient, now=utc(2026, 6, 1, 6), regimen=make_regimen(patient, frequency="weekly", weekdays=[1]))
    make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("09:00"))
    tick(utc(2026, 6, 1, 8, 0))
    assert Delivery.objects.filter(kind="reminder").count() == 2
    assert tick(utc(2026, 6, 1, 12, 0)).follow_ups == 0


# --- schedules that change ----------------------------------------------------------------
def test_a_regimen_ending_stops_its_reminder(patient, tick):
    regimen = make_regimen(patient, start_date=date(2026, 6, 1), end_date=date(2026, 6, 2))
    reminder = make_reminder(patient, now=utc(2026, 5, 20), regimen=regimen)
    assert reminder.next_fire_at == utc(2026, 6, 1, 7)  # not before the regimen starts
    tick_every(tick, utc(2026, 6, 1, 6), utc(2026, 6, 4, 12), 60)
    assert [wall[:10] for wall, _ in slots(reminder)] == ["2026-06-01", "2026-06-02"]
    reminder.refresh_from_db()
    assert reminder.next_fire_at is None


def test_moving_zone_moves_the_next_slot_to_the_new_local_time(patient):
    reminder = make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("08:00"))
    user_update(user=patient, data={"time_zone": NEW_YORK})
    reminder.refresh_from_db()
    assert reminder.time_zone == NEW_YORK
    assert reminder.next_fire_at.astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M") == "08:00"


def test_disabled_reminders_never_fire(patient, tick):
    reminder = make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("08:00"), enabled=False)
    assert reminder.next_fire_at is None
    tick_every(tick, utc(2026, 6, 1, 6), utc(2026, 6, 2, 12), 60)
    assert not Delivery.objects.exists()


# --- one delivery per slot, whatever runs twice -------------------------------------------
def test_ticks_claim_in_batches_and_a_repeated_tick_adds_nothing(patient, tick, enqueued):
    for minute in range(25):
        make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm(f"08:{minute:02d}"))
    report = tick(utc(2026, 6, 1, 7, 30), batch_size=10)
    assert (report.batches, report.claimed, report.enqueued) == (3, 25, 25)
    assert tick(utc(2026, 6, 1, 7, 30), batch_size=10).claimed == 0
    assert Delivery.objects.count() == 25
    assert sorted(enqueued) == sorted(Delivery.objects.values_list("id", flat=True))


def test_a_tick_with_a_stale_view_inserts_and_enqueues_nothing(patient):
    """What a second tick that read the reminder before the first committed would do (the
    row lock makes this impossible on PostgreSQL; the constraint makes it harmless anywhere)."""
    reminder = make_reminder(patient, now=utc(2026, 6, 1, 6), local_time=hm("08:00"))
    now = utc(2026, 6, 1, 7)
    claimed = tick_module._claim_due(now, 10)
    plan = tick_module._plan(claimed, now)
    first = tick_module._insert_deliveries(plan.rows, now)
    tick_module._advance(plan.advances)
    second = tick_module._insert_deliveries(plan.rows, now)
    assert (len(first), second) == (1, [])
    # The stale advance does not undo an edit made in between.
    Reminder.objects.filter(id=reminder.id).update(next_fire_at=utc(2026, 6, 5, 7))
    tick_module._advance(plan.advances)
    reminder.refresh_from_db()
    assert reminder.next_fire_at == utc(2026, 6, 5, 7)
