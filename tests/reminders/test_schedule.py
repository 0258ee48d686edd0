"""Tests for diary.schedule (pure time arithmetic, no Django, no DB).

Expected instants are written out as literal UTC values so a test fails if the
implementation drifts, rather than recomputing them with the same logic.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from diary.reminders.schedule import (
    CatchUp,
    catch_up,
    follow_up_at,
    local_date,
    next_fire_at,
    slots_between,
    snooze_until,
)

NY = "America/New_York"
LONDON = "Europe/London"
AUCKLAND = "Pacific/Auckland"
KOLKATA = "Asia/Kolkata"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def in_zone(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


# ---------------------------------------------------------------------------
# Daily 08:00 stays 08:00 local across every DST change
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "change_day", "before_utc", "on_utc"),
    [
        # US spring forward: EST (-5) -> EDT (-4)
        (NY, date(2026, 3, 8), utc(2026, 3, 7, 13), utc(2026, 3, 8, 12)),
        # US fall back: EDT (-4) -> EST (-5)
        (NY, date(2026, 11, 1), utc(2026, 10, 31, 12), utc(2026, 11, 1, 13)),
        # UK spring forward: GMT (+0) -> BST (+1)
        (LONDON, date(2026, 3, 29), utc(2026, 3, 28, 8), utc(2026, 3, 29, 7)),
        # UK fall back: BST (+1) -> GMT (+0)
        (LONDON, date(2026, 10, 25), utc(2026, 10, 24, 7), utc(2026, 10, 25, 8)),
        # NZ fall back (first Sunday of April): NZDT (+13) -> NZST (+12)
        (AUCKLAND, date(2026, 4, 5), utc(2026, 4, 3, 19), utc(2026, 4, 4, 20)),
        # NZ spring forward (last Sunday of September): NZST (+12) -> NZDT (+13)
        (AUCKLAND, date(2026, 9, 27), utc(2026, 9, 25, 20), utc(2026, 9, 26, 19)),
    ],
)
def test_daily_0800_keeps_local_time_across_dst(tz, change_day, before_utc, on_utc):
    day_before = change_day - timedelta(days=1)
    # Just before local midnight starting the day before the change.
    after = datetime.combine(day_before, time(0), tzinfo=ZoneInfo(tz)) - timedelta(microseconds=1)
    first = next_fire_at(after=after, local_time=time(8), tz=tz)
    second = next_fire_at(after=first, local_time=time(8), tz=tz)

    assert first == before_utc
    assert second == on_utc
    for instant in (first, second):
        assert instant.tzinfo is UTC
        assert in_zone(instant, tz).time() == time(8)
    assert local_date(second, tz) == change_day
    # The whole point: same wall time, different UTC offset -> not 24h apart.
    assert in_zone(first, tz).utcoffset() != in_zone(second, tz).utcoffset()
    assert second - first != timedelta(hours=24)


@pytest.mark.parametrize("tz", [NY, LONDON, AUCKLAND, KOLKATA])
def test_daily_0800_every_day_of_2026(tz):
    slots = slots_between(
        since=datetime(2025, 12, 31, 23, 59, tzinfo=ZoneInfo(tz)),
        until=datetime(2026, 12, 31, 23, 59, tzinfo=ZoneInfo(tz)),
        local_time=time(8),
        tz=tz,
    )
    assert len(slots) == 365
    assert [local_date(s, tz) for s in slots] == [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    assert all(in_zone(s, tz).time() == time(8) for s in slots)


# ---------------------------------------------------------------------------
# Nonexistent local times (spring-forward gap)
# ---------------------------------------------------------------------------


def test_new_york_nonexistent_0230_fires_at_0300():
    slot = next_fire_at(after=utc(2026, 3, 7, 12), local_time=time(2, 30), tz=NY)
    assert slot == utc(2026, 3, 8, 7)  # 03:00 EDT
    local = in_zone(slot, NY)
    assert (local.date(), local.time()) == (date(2026, 3, 8), time(3, 0))
    assert local.utcoffset() == timedelta(hours=-4)
    # Next day it is 02:30 again (not 03:00, not 03:30).
    following = next_fire_at(after=slot, local_time=time(2, 30), tz=NY)
    assert following == utc(2026, 3, 9, 6, 30)
    assert in_zone(following, NY).time() == time(2, 30)


def test_london_nonexistent_0130_fires_at_0200():
    slot = next_fire_at(after=utc(2026, 3, 28, 12), local_time=time(1, 30), tz=LONDON)
    assert slot == utc(2026, 3, 29, 1)  # 02:00 BST
    local = in_zone(slot, LONDON)
    assert (local.date(), local.time()) == (date(2026, 3, 29), time(2, 0))
    # Day before, 01:30 GMT existed normally.
    previous = next_fire_at(after=utc(2026, 3, 27, 12), local_time=time(1, 30), tz=LONDON)
    assert previous == utc(2026, 3, 28, 1, 30)


def test_gap_shift_lands_in_quiet_hours_is_moved_to_quiet_end():
    # 02:30 does not exist -> would ring at 03:00, which is inside 03:00-07:00.
    slot = next_fire_at(
        after=utc(2026, 3, 7, 12),
        local_time=time(2, 30),
        tz=NY,
        quiet_start=time(3),
        quiet_end=time(7),
    )
    assert slot == utc(2026, 3, 8, 11)  # 07:00 EDT


# ---------------------------------------------------------------------------
# Ambiguous local times (fall back) fire once, at the first occurrence
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "first", "second", "next_day"),
    [
        (NY, date(2026, 11, 1), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30), utc(2026, 11, 2, 6, 30)),
        (LONDON, date(2026, 10, 25), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30), utc(2026, 10, 26, 1, 30)),
    ],
)
def test_ambiguous_0130_fires_once_at_first_occurrence(tz, day, first, second, next_day):
    # Sanity: both UTC instants really read 01:30 locally (the time is ambiguous).
    assert in_zone(first, tz).time() == in_zone(second, tz).time() == time(1, 30)

    slot = next_fire_at(after=first - timedelta(hours=12), local_time=time(1, 30), tz=tz)
    assert slot == first
    assert in_zone(slot, tz).fold == 0

    # Asking again from the first occurrence must NOT return the second one.
    again = next_fire_at(after=slot, local_time=time(1, 30), tz=tz)
    assert again != second
    assert again == next_day

    # Even from just before the second occurrence, it's the next day's slot.
    assert next_fire_at(after=second - timedelta(seconds=1), local_time=time(1, 30), tz=tz) == next_day

    # slots_between over the whole fall-back day yields exactly one slot.
    assert slots_between(
        since=first - timedelta(hours=6),
        until=second + timedelta(hours=6),
        local_time=time(1, 30),
        tz=tz,
    ) == [first]


def test_local_time_fold_one_is_ignored():
    slot = next_fire_at(after=utc(2026, 10, 31, 12), local_time=time(1, 30, fold=1), tz=NY)
    assert slot == utc(2026, 11, 1, 5, 30)


def _oracle(day: date, wall: time, tz: str) -> datetime:
    """Independent reference: scan every UTC minute of the local day.

    Expected = earliest UTC minute whose local reading is ``wall`` on ``day``;
    if none exists (gap) = earliest minute reading later than ``wall``.
    """
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) - timedelta(hours=2)
    best_exact = best_later = None
    for minute in range(30 * 60):
        instant = start + timedelta(minutes=minute)
        local = instant.astimezone(zone)
        if local.date() != day:
            continue
        if local.time() == wall and best_exact is None:
            best_exact = instant
        if local.time() > wall and best_later is None:
            best_later = instant
    return best_exact if best_exact is not None else best_later


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        (NY, date(2026, 3, 8)),
        (NY, date(2026, 11, 1)),
        (LONDON, date(2026, 3, 29)),
        (LONDON, date(2026, 10, 25)),
    ],
)
def test_every_minute_of_transition_days_matches_brute_force(tz, day):
    zone = ZoneInfo(tz)
    # Local midnight exists on all of these days.
    after = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) - timedelta(microseconds=1)
    # Every 5 minutes keeps the test fast while covering gap/overlap edges
    # (the hour boundaries 00/01/02/03 are all multiples of 5).
    for minute_of_day in range(0, 24 * 60, 5):
        wall = time(minute_of_day // 60, minute_of_day % 60)
        got = next_fire_at(after=after, local_time=wall, tz=tz)
        assert got == _oracle(day, wall, tz), wall


# ---------------------------------------------------------------------------
# Weekdays
# ---------------------------------------------------------------------------


def test_weekly_sunday_0900():
    # 2026-03-04 is a Wednesday; the next Sunday is the US DST change day.
    first = next_fire_at(after=utc(2026, 3, 4, 12), local_time=time(9), tz=NY, weekdays=[7])
    assert first == utc(2026, 3, 8, 13)  # 09:00 EDT
    second = next_fire_at(after=first, local_time=time(9), tz=NY, weekdays=[7])
    assert second == utc(2026, 3, 15, 13)
    assert in_zone(second, NY).isoweekday() == 7
    # A week spanning DST change is not 7*24h.
    previous = next_fire_at(after=utc(2026, 2, 28, 12), local_time=time(9), tz=NY, weekdays=[7])
    assert previous == utc(2026, 3, 1, 14)  # 09:00 EST
    assert first - previous == timedelta(days=7, hours=-1)


def test_weekly_sunday_strictly_after_same_slot():
    slot = utc(2026, 3, 15, 13)
    assert next_fire_at(after=slot, local_time=time(9), tz=NY, weekdays={7}) == utc(2026, 3, 22, 13)
    assert next_fire_at(after=slot - timedelta(microseconds=1), local_time=time(9), tz=NY, weekdays={7}) == slot


def test_chosen_weekdays_mon_wed_fri():
    slots = slots_between(
        since=utc(2026, 6, 1, 0),  # Monday
        until=utc(2026, 6, 14, 23),  # Sunday
        local_time=time(8),
        tz=LONDON,
        weekdays=(1, 3, 5),
    )
    assert [local_date(s, LONDON) for s in slots] == [
        date(2026, 6, 1),
        date(2026, 6, 3),
        date(2026, 6, 5),
        date(2026, 6, 8),
        date(2026, 6, 10),
        date(2026, 6, 12),
    ]
    assert all(s.hour == 7 and s.minute == 0 for s in slots)  # 08:00 BST


def test_empty_weekdays_means_every_day():
    kwargs = dict(since=utc(2026, 6, 1), until=utc(2026, 6, 8), local_time=time(8), tz=LONDON)
    assert slots_between(**kwargs, weekdays=[]) == slots_between(**kwargs, weekdays=None)
    assert len(slots_between(**kwargs, weekdays=[])) == 7


def test_weekdays_are_local_not_utc_in_auckland():
    # Monday 08:00 in Auckland (NZST, +12) is Sunday 20:00 UTC.
    slot = next_fire_at(after=utc(2026, 6, 3), local_time=time(8), tz=AUCKLAND, weekdays=[1])
    assert slot == utc(2026, 6, 7, 20)
    assert slot.isoweekday() == 7
    assert local_date(slot, AUCKLAND) == date(2026, 6, 8)
    assert local_date(slot, AUCKLAND).isoweekday() == 1


@pytest.mark.parametrize("bad", [[0], [8], [1, 9], [True], ["1"]])
def test_invalid_weekdays_rejected(bad):
    with pytest.raises(ValueError):
        next_fire_at(after=utc(2026, 1, 1), local_time=time(8), tz=NY, weekdays=bad)


# ---------------------------------------------------------------------------
# Half-hour offset
# ---------------------------------------------------------------------------


def test_kolkata_half_hour_offset():
    slot = next_fire_at(after=utc(2026, 7, 1, 12), local_time=time(8), tz=KOLKATA)
    assert slot == utc(2026, 7, 2, 2, 30)
    assert in_zone(slot, KOLKATA).utcoffset() == timedelta(hours=5, minutes=30)
    # 05:00 IST on July 2nd is still July 1st in UTC.
    early = next_fire_at(after=utc(2026, 7, 1, 12), local_time=time(5), tz=KOLKATA)
    assert early == utc(2026, 7, 1, 23, 30)
    assert local_date(early, KOLKATA) == date(2026, 7, 2)


def test_kolkata_weekday_and_quiet_hours():
    slot = next_fire_at(
        after=utc(2026, 7, 1, 12),  # Wednesday
        local_time=time(23, 15),
        tz=KOLKATA,
        weekdays=[6],  # Saturday
        quiet_start=time(22, 30),
        quiet_end=time(6, 45),
    )
    # Saturday 2026-07-04, moved to quiet end 06:45 IST = 01:15 UTC.
    assert slot == utc(2026, 7, 4, 1, 15)


def test_auckland_date_line():
    # 07:00 NZST on 2026-06-02 is 19:00 UTC on 2026-06-01.
    slot = next_fire_at(after=utc(2026, 6, 1, 18), local_time=time(7), tz=AUCKLAND)
    assert slot == utc(2026, 6, 1, 19)
    assert slot.date() == date(2026, 6, 1)
    assert local_date(slot, AUCKLAND) == date(2026, 6, 2)


# ---------------------------------------------------------------------------
# Quiet hours
# ---------------------------------------------------------------------------


def _local_fire(local_time: time, quiet: tuple[time, time] | None, tz: str = LONDON) -> datetime:
    # Start at local midnight of 2026-06-10 so the slot belongs to that date.
    after = datetime(2026, 6, 10, tzinfo=ZoneInfo(tz)) - timedelta(microseconds=1)
    kwargs = {} if quiet is None else {"quiet_start": quiet[0], "quiet_end": quiet[1]}
    return in_zone(next_fire_at(after=after, local_time=local_time, tz=tz, **kwargs), tz)


@pytest.mark.parametrize(
    ("local_time", "expected"),
    [
        (time(23, 0), time(7, 0)),  # late-evening part of the window -> 07:00 same date
        (time(22, 0), time(7, 0)),  # window start is inclusive
        (time(0, 0), time(7, 0)),
        (time(6, 59), time(7, 0)),  # early-morning part of the window
        (time(7, 0), time(7, 0)),  # window end is exclusive: unchanged
        (time(21, 59), time(21, 59)),  # just before the window: unchanged
        (time(12, 0), time(12, 0)),
    ],
)
def test_quiet_hours_crossing_midnight(local_time, expected):
    fired = _local_fire(local_time, (time(22), time(7)))
    assert fired.time() == expected
    # Documented rule: moved to quiet end on the SAME local date.
    assert fired.date() == date(2026, 6, 10)


def test_quiet_hours_daytime_window():
    assert _local_fire(time(13), (time(12), time(14))).time() == time(14)
    assert _local_fire(time(11, 59), (time(12), time(14))).time() == time(11, 59)


def test_quiet_hours_keep_weekday_of_scheduled_date():
    # Monday-only 23:00 reminder with 22:00-07:00 quiet rings Monday 07:00.
    slot = next_fire_at(
        after=utc(2026, 6, 7, 12),  # Sunday
        local_time=time(23),
        tz=NY,
        weekdays=[1],
        quiet_start=time(22),
        quiet_end=time(7),
    )
    assert slot == utc(2026, 6, 8, 11)  # Monday 07:00 EDT
    assert in_zone(slot, NY).isoweekday() == 1


def test_quiet_moved_slot_does_not_fire_twice_same_date():
    kwargs = dict(local_time=time(23), tz=NY, quiet_start=time(22), quiet_end=time(7))
    slots = slots_between(since=utc(2026, 6, 1, 12), until=utc(2026, 6, 5, 12), **kwargs)
    assert slots == [utc(2026, 6, 2, 11), utc(2026, 6, 3, 11), utc(2026, 6, 4, 11), utc(2026, 6, 5, 11)]


@pytest.mark.parametrize(("start", "end"), [(time(22), None), (None, time(7)), (time(22), time(22))])
def test_malformed_quiet_window_rejected(start, end):
    with pytest.raises(ValueError):
        next_fire_at(after=utc(2026, 1, 1), local_time=time(8), tz=NY, quiet_start=start, quiet_end=end)


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad_tz", ["Mars/Olympus", "", "America", "../etc/passwd", "EST+5 ", None])
def test_invalid_tz_raises_value_error(bad_tz):
    with pytest.raises(ValueError):
        next_fire_at(after=utc(2026, 1, 1), local_time=time(8), tz=bad_tz)
    with pytest.raises(ValueError):
        slots_between(since=utc(2026, 1, 1), until=utc(2026, 1, 3), local_time=time(8), tz=bad_tz)
    with pytest.raises(ValueError):
        local_date(utc(2026, 1, 1), bad_tz)


def test_naive_after_rejected():
    with pytest.raises(ValueError):
        next_fire_at(after=datetime(2026, 1, 1), local_time=time(8), tz=NY)


def test_aware_local_time_rejected():
    with pytest.raises(ValueError):
        next_fire_at(after=utc(2026, 1, 1), local_time=time(8, tzinfo=UTC), tz=NY)


def test_after_in_other_zone_is_converted_and_result_is_utc():
    after = datetime(2026, 1, 10, 7, 59, tzinfo=ZoneInfo(NY))  # 12:59 UTC
    slot = next_fire_at(after=after, local_time=time(8), tz=NY)
    assert slot == utc(2026, 1, 10, 13)
    assert slot.tzinfo is UTC


def test_module_does_not_import_django():
    source = Path(__file__).resolve().parents[2] / "diary" / "reminders" / "schedule.py"
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    assert modules  # the walk found the imports at all
    assert not any(m == "django" or m.startswith("django.") for m in modules)


# ---------------------------------------------------------------------------
# slots_between
# ---------------------------------------------------------------------------


def test_slots_between_is_half_open():
    slot = utc(2026, 6, 10, 7)  # 08:00 BST
    kwargs = dict(local_time=time(8), tz=LONDON)
    assert slots_between(since=slot, until=slot + timedelta(hours=1), **kwargs) == []
    assert slots_between(since=slot - timedelta(hours=1), until=slot, **kwargs) == [slot]
    assert slots_between(since=slot, until=slot - timedelta(days=3), **kwargs) == []


def test_slots_between_spans_dst_in_order():
    # since = 07:00 EST on the 6th, until = 08:00 EDT on the 10th (inclusive).
    slots = slots_between(since=utc(2026, 3, 6, 12), until=utc(2026, 3, 10, 12), local_time=time(8), tz=NY)
    assert slots == [
        utc(2026, 3, 6, 13),  # 08:00 EST
        utc(2026, 3, 7, 13),  # 08:00 EST
        utc(2026, 3, 8, 12),  # 08:00 EDT (DST day)
        utc(2026, 3, 9, 12),
        utc(2026, 3, 10, 12),  # == until, included
    ]


# ---------------------------------------------------------------------------
# Catch-up after an outage
# ---------------------------------------------------------------------------


def test_twenty_minute_outage_sends_missed_slot_exactly_once():
    tz, wall = LONDON, time(8)
    slot = utc(2026, 6, 10, 7)  # 08:00 BST
    outage_start = slot - timedelta(minutes=10)
    outage_end = outage_start + timedelta(minutes=20)

    # Beat ticks every minute: each tick handles (last_tick, now].  The first
    # tick after the outage sees the whole outage window.
    sends: list[datetime] = []
    missed: list[datetime] = []
    last_tick = outage_start
    now = outage_end
    while now <= outage_end + timedelta(minutes=10):
        due = slots_between(since=last_tick, until=now, local_time=wall, tz=tz)
        result = catch_up(due_slots=due, now=now)
        if result.send is not None:
            sends.append(result.send)
        missed.extend(result.missed)
        last_tick = now
        now += timedelta(minutes=1)

    assert sends == [slot]
    assert missed == []


def test_outage_with_many_slots_sends_only_newest_within_grace():
    slots = slots_between(since=utc(2026, 6, 7), until=utc(2026, 6, 10, 7, 20), local_time=time(8), tz=LONDON)
    assert len(slots) == 4
    result = catch_up(due_slots=slots, now=utc(2026, 6, 10, 7, 20))
    assert result == CatchUp(send=utc(2026, 6, 10, 7), missed=slots[:-1])
    # Never both sent and missed.
    assert result.send not in result.missed


def test_grace_boundary_is_inclusive():
    slot = utc(2026, 6, 10, 7)
    grace = timedelta(hours=2)
    assert catch_up(due_slots=[slot], now=slot + grace).send == slot
    late = catch_up(due_slots=[slot], now=slot + grace + timedelta(microseconds=1))
    assert late.send is None
    assert late.missed == [slot]


def test_custom_grace_and_all_too_old():
    slots = [utc(2026, 6, 8, 7), utc(2026, 6, 9, 7)]
    result = catch_up(due_slots=slots, now=utc(2026, 6, 9, 7, 31), grace=timedelta(minutes=30))
    assert result.send is None
    assert result.missed == slots


def test_catch_up_sorts_and_deduplicates():
    a, b, c = utc(2026, 6, 8, 7), utc(2026, 6, 9, 7), utc(2026, 6, 10, 7)
    ny_c = c.astimezone(ZoneInfo(NY))  # same instant, different tzinfo
    result = catch_up(due_slots=[c, a, ny_c, b, a], now=c + timedelta(minutes=5))
    assert result.send == c
    assert result.send.tzinfo is UTC
    assert result.missed == [a, b]


def test_catch_up_nothing_due():
    assert catch_up(due_slots=[], now=utc(2026, 6, 10)) == CatchUp(send=None, missed=[])


def test_catch_up_rejects_future_slot_and_bad_input():
    now = utc(2026, 6, 10, 7)
    with pytest.raises(ValueError):
        catch_up(due_slots=[now + timedelta(seconds=1)], now=now)
    with pytest.raises(ValueError):
        catch_up(due_slots=[now], now=datetime(2026, 6, 10, 7))
    with pytest.raises(ValueError):
        catch_up(due_slots=[now], now=now, grace=timedelta(seconds=-1))


def test_catch_up_is_frozen():
    result = catch_up(due_slots=[], now=utc(2026, 6, 10))
    with pytest.raises(AttributeError):
        result.send = utc(2026, 6, 10)  # type: ignore[misc]


# ---------------------------------------------------------------------------
# snooze / follow-up / local_date
# ---------------------------------------------------------------------------


def test_snooze_until_basic_and_bounds():
    now = utc(2026, 6, 10, 7)
    assert snooze_until(now, 15) == utc(2026, 6, 10, 7, 15)
    assert snooze_until(now, 1) == utc(2026, 6, 10, 7, 1)
    assert snooze_until(now, 720) == utc(2026, 6, 10, 19)
    for bad in (0, 721, -5):
        with pytest.raises(ValueError):
            snooze_until(now, bad)
    for bad in (True, 1.5, "10"):
        with pytest.raises(TypeError):
            snooze_until(now, bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        snooze_until(datetime(2026, 6, 10, 7), 10)


def test_snooze_across_fall_back_is_real_elapsed_time():
    # 01:50 EDT (first occurrence) on the US fall-back day.
    now = datetime(2026, 11, 1, 1, 50, tzinfo=ZoneInfo(NY))
    result = snooze_until(now, 30)
    # Naive wall-clock arithmetic would give 02:20 EST == 07:20 UTC (90 min).
    assert result == utc(2026, 11, 1, 6, 20)
    assert result.tzinfo is UTC
    assert in_zone(result, NY).time() == time(1, 20)  # second 01:20, EST


def test_follow_up_at():
    scheduled = utc(2026, 6, 10, 7)
    assert follow_up_at(scheduled) == utc(2026, 6, 10, 9)
    assert follow_up_at(scheduled, timedelta(minutes=45)) == utc(2026, 6, 10, 7, 45)
    with pytest.raises(ValueError):
        follow_up_at(scheduled, timedelta(0))
    with pytest.raises(ValueError):
        follow_up_at(datetime(2026, 6, 10, 7))
    # Across spring forward in London: 00:30 GMT + 2h elapsed = 03:30 BST.
    london = datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo(LONDON))
    assert follow_up_at(london) == utc(2026, 3, 29, 2, 30)


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        (utc(2026, 6, 1, 19), AUCKLAND, date(2026, 6, 2)),
        (utc(2026, 7, 1, 18, 29), KOLKATA, date(2026, 7, 1)),
        (utc(2026, 7, 1, 18, 30), KOLKATA, date(2026, 7, 2)),
        (utc(2026, 1, 1, 3), NY, date(2025, 12, 31)),
        (utc(2026, 1, 1, 3), LONDON, date(2026, 1, 1)),
    ],
)
def test_local_date(instant, tz, expected):
    assert local_date(instant, tz) == expected


def test_local_date_rejects_naive():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 1, 1), NY)
