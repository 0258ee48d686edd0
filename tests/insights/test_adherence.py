"""The one adherence definition (diary.insights.adherence), on its own: no database."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from diary.insights.adherence import DoseLog, Plan, SkipLog, adherence, dose_window, slot_days

ALICE = uuid.uuid4()
TODAY = date(2026, 3, 1)


def plan(frequency="daily", weekdays=(), start=date(2026, 1, 1), end=None, supplement="vitamin_d3", amount=1000.0):
    return Plan(uuid.uuid4(), ALICE, supplement, frequency, tuple(weekdays), start, end, amount)


def dose(day, *, regimen=None, supplement="vitamin_d3", amount=1000.0):
    return DoseLog(uuid.uuid4(), ALICE, supplement, day, amount, regimen.id if regimen else None)


def brute_force(p: Plan, first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        active = p.start <= day and (p.end is None or day <= p.end)
        if active and (p.frequency == "daily" or day.isoweekday() in (p.weekdays or (p.start.isoweekday(),))):
            days.append(day)
        day += timedelta(days=1)
    return days


@pytest.mark.parametrize(
    "p",
    [
        plan("daily"),
        plan("daily", end=date(2026, 2, 1)),
        plan("weekly", [7], start=date(2026, 1, 4), end=date(2026, 2, 28)),
        plan("weekly", start=date(2026, 1, 6)),  # no weekday given: the start date's
        plan("weekdays", [1, 3, 5]),
        plan("weekdays", [6, 7], start=date(2026, 3, 1), end=date(2026, 3, 20)),
    ],
)
@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 1, 10), date(2026, 1, 12)),
        (date(2025, 12, 1), date(2026, 4, 30)),
        (date(2026, 3, 15), date(2026, 3, 15)),
    ],
)
def test_slots_are_the_days_the_regimen_asks_for(p, first, last):
    assert slot_days(p, first, last) == brute_force(p, first, last)


def test_a_weekly_dose_counts_within_three_days_either_side_and_not_beyond():
    weekly = plan("weekly", [1], start=date(2026, 1, 5), end=date(2026, 1, 25))  # Mondays 5, 12 and 19
    doses = [
        dose(date(2026, 1, 6), regimen=weekly),  # a day late for the 5th
        dose(date(2026, 1, 9), regimen=weekly),  # three days early for the 12th
        dose(date(2026, 1, 23), regimen=weekly),  # four days late for the 19th: too late
    ]
    result = adherence([weekly], doses, first=date(2026, 1, 5), last=date(2026, 2, 1), today=TODAY)
    assert [(s.day.day, s.status) for s in result.slots] == [(5, "taken"), (12, "taken"), (19, "missed")]


def test_four_days_late_is_three_days_early_for_the_next_week():
    weekly = plan("weekly", [1], start=date(2026, 1, 5))
    result = adherence(
        [weekly],
        [dose(date(2026, 1, 23), regimen=weekly)],
        first=date(2026, 1, 19),
        last=date(2026, 1, 26),
        today=TODAY,
    )
    assert [(s.day.day, s.status) for s in result.slots] == [(19, "missed"), (26, "taken")]


def test_a_daily_dose_counts_on_its_own_local_day_only():
    daily = plan("daily", start=date(2026, 1, 1))
    result = adherence(
        [daily], [dose(date(2026, 1, 2), regimen=daily)], first=date(2026, 1, 1), last=date(2026, 1, 2), today=TODAY
    )
    assert [s.status for s in result.slots] == ["missed", "taken"]


def test_a_hand_logged_dose_without_a_regimen_fills_its_slot_once_never_twice():
    daily = plan("daily", start=date(2026, 1, 1))
    day = date(2026, 1, 1)
    # Logged by hand (no regimen) and again from the reminder: one slot, filled once.
    doses = [dose(day), dose(day, regimen=daily)]
    result = adherence([daily], doses, first=day, last=date(2026, 1, 2), today=TODAY)
    assert [s.status for s in result.slots] == ["taken", "missed"]
    assert result.tally.taken == 1


def test_an_untagged_dose_goes_to_the_regimen_whose_amount_it_matches():
    loading = plan("weekly", [1], start=date(2026, 1, 5), amount=50_000.0)
    daily = plan("daily", start=date(2026, 1, 5), amount=1000.0)
    result = adherence(
        [loading, daily],
        [dose(date(2026, 1, 5), amount=50_000.0)],
        first=date(2026, 1, 5),
        last=date(2026, 1, 5),
        today=TODAY,
    )
    assert result.for_plan(loading.id).tally.taken == 1
    assert result.for_plan(daily.id).tally.taken == 0


def test_an_untagged_dose_far_from_the_prescribed_amount_fills_nothing():
    loading = plan("weekly", [1], start=date(2026, 1, 5), amount=50_000.0)
    pill = dose(date(2026, 1, 5), amount=1000.0)
    result = adherence([loading], [pill], first=date(2026, 1, 5), last=date(2026, 1, 5), today=TODAY)
    assert result.tally.taken == 0
    # Named by the patient, it counts whatever the amount: they said which regimen it was.
    tagged = dose(date(2026, 1, 5), amount=1000.0, regimen=loading)
    assert adherence([loading], [tagged], first=date(2026, 1, 5), last=date(2026, 1, 5), today=TODAY).tally.taken == 1


def test_a_dose_of_another_supplement_fills_nothing():
    daily = plan("daily", start=date(2026, 1, 1))
    result = adherence(
        [daily],
        [dose(date(2026, 1, 1), supplement="magnesium")],
        first=date(2026, 1, 1),
        last=date(2026, 1, 1),
        today=TODAY,
    )
    assert result.tally.taken == 0


def test_a_skip_is_said_and_is_not_taken():
    daily = plan("daily", start=date(2026, 1, 1))
    result = adherence(
        [daily], [], [SkipLog(daily.id, date(2026, 1, 1))], first=date(2026, 1, 1), last=date(2026, 1, 2), today=TODAY
    )
    assert [s.status for s in result.slots] == ["skipped", "missed"]
    assert result.tally.ratio == 0.0


def test_slots_still_inside_their_tolerance_are_due_and_in_no_denominator():
    daily = plan("daily", start=date(2026, 2, 27))
    weekly = plan("weekly", [5], start=date(2026, 2, 27))  # Friday 27 February: 3 days runs to 2 March
    result = adherence([daily, weekly], [], first=date(2026, 2, 27), last=TODAY, today=TODAY)
    assert [s.status for s in result.for_plan(daily.id).slots] == ["missed", "missed", "due"]
    assert [s.status for s in result.for_plan(weekly.id).slots] == ["due"]
    assert result.tally.scheduled == 2


def _loading_and_daily(take_loading: bool):
    """Issue 11's two patients: four weekly 50,000 IU loading doses and a daily 1,000 IU pill,
    over 28 days; one takes every loading dose and skips the pill, the other the reverse."""
    first = date(2026, 1, 5)
    last = first + timedelta(days=27)
    loading = plan("weekly", [1], start=first, amount=50_000.0)
    daily = plan("daily", start=first, amount=1000.0)
    if take_loading:
        doses = [dose(day, regimen=loading, amount=50_000.0) for day in slot_days(loading, first, last)]
    else:
        doses = [dose(day, regimen=daily) for day in slot_days(daily, first, last)]
    return loading, daily, adherence([loading, daily], doses, first=first, last=last, today=TODAY)


def test_pooled_vitamin_d_weighs_slots_by_prescribed_iu():
    loading, daily, took_loading = _loading_and_daily(True)
    assert took_loading.pooled_vitamin_d == pytest.approx(200_000 / 228_000)  # about 88%
    assert took_loading.for_plan(loading.id).tally.ratio == 1.0
    assert took_loading.for_plan(daily.id).tally.ratio == 0.0
    loading, daily, skipped_loading = _loading_and_daily(False)
    assert skipped_loading.pooled_vitamin_d == pytest.approx(28_000 / 228_000)  # about 12%
    assert skipped_loading.for_plan(loading.id).tally.ratio == 0.0
    # Counting pills instead would rank them the other way round: 4/32 against 28/32.
    assert took_loading.tally.ratio == pytest.approx(4 / 32)


def test_slicing_by_period_adds_up_to_the_whole():
    _, _, result = _loading_and_daily(True)
    first = date(2026, 1, 5)
    weeks = [result.between(first + timedelta(weeks=w), first + timedelta(weeks=w, days=6)).tally for w in range(4)]
    assert sum(t.taken for t in weeks) == result.tally.taken
    assert sum(t.amount_scheduled for t in weeks) == result.tally.amount_scheduled


def test_the_dose_window_covers_the_tolerance():
    assert dose_window(date(2026, 1, 10), date(2026, 1, 20)) == (date(2026, 1, 7), date(2026, 1, 23))


def test_nothing_scheduled_means_no_ratio():
    empty = adherence([], [], first=date(2026, 1, 1), last=date(2026, 1, 28), today=TODAY)
    assert empty.tally.ratio is None
    assert empty.pooled_vitamin_d is None
