from datetime import date, timedelta

import pytest

from diary.adherence import Adherence, Schedule, adherence, scheduled_days


def brute_force(schedule: Schedule, start: date, end: date) -> int:
    count, day = 0, start
    while day <= end:
        active = schedule.start <= day and (schedule.end is None or day <= schedule.end)
        if active and (schedule.frequency == "daily" or day.isoweekday() in schedule.weekdays):
            count += 1
        day += timedelta(days=1)
    return count


@pytest.mark.parametrize(
    "schedule",
    [
        Schedule("daily", [], date(2026, 1, 5), None),
        Schedule("daily", [], date(2026, 1, 5), date(2026, 2, 1)),
        Schedule("weekly", [7], date(2026, 1, 4), date(2026, 2, 28)),
        Schedule("weekdays", [1, 3, 5], date(2026, 1, 1), None),
        Schedule("weekdays", [6, 7], date(2026, 3, 1), date(2026, 3, 20)),
    ],
)
@pytest.mark.parametrize(
    ("span_start", "span_end"),
    [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 1, 10), date(2026, 1, 12)),
        (date(2025, 12, 1), date(2026, 4, 30)),
        (date(2026, 3, 15), date(2026, 3, 15)),
    ],
)
def test_scheduled_days_matches_counting_day_by_day(schedule, span_start, span_end):
    assert scheduled_days(schedule, span_start, span_end) == brute_force(schedule, span_start, span_end)


def test_a_regimen_outside_the_span_schedules_nothing():
    assert scheduled_days(Schedule("daily", [], date(2026, 5, 1), None), date(2026, 1, 1), date(2026, 4, 30)) == 0


def test_adherence_caps_extra_doses_and_sums_regimens():
    daily = Schedule("daily", [], date(2026, 1, 1), None)
    weekly = Schedule("weekly", [7], date(2026, 1, 4), date(2026, 2, 28))
    result = adherence([(daily, 25), (weekly, 9)], date(2026, 1, 1), date(2026, 1, 28))
    # 28 daily doses due, 25 taken; 4 Sundays due, 9 logged but capped at 4.
    assert result == Adherence(scheduled=32, taken=29)
    assert result.ratio == pytest.approx(29 / 32)


def test_no_schedule_means_no_ratio():
    assert adherence([], date(2026, 1, 1), date(2026, 1, 28)).ratio is None
