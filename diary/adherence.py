"""How many doses a regimen scheduled in a span of days, and how many were taken.

Plain Python, no Django: the SQL side counts doses per regimen; this side knows the
calendar. A weekly regimen taken a day late still counts, because doses are matched to
the regimen within the span, not to the exact day; taken doses are capped at the number
scheduled so an extra dose cannot hide a missed one elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Schedule:
    frequency: str  # daily | weekly | weekdays
    weekdays: Sequence[int]  # ISO 1..7; one for weekly, several for weekdays
    start: date
    end: date | None  # last day, inclusive; None: ongoing


def scheduled_days(schedule: Schedule, span_start: date, span_end: date) -> int:
    """Doses due in [span_start, span_end] (both inclusive) under this schedule."""
    first = max(schedule.start, span_start)
    last = min(schedule.end, span_end) if schedule.end else span_end
    if last < first:
        return 0
    total_days = (last - first).days + 1
    if schedule.frequency == "daily":
        return total_days
    weekdays = set(schedule.weekdays) or {schedule.start.isoweekday()}
    full_weeks, remainder = divmod(total_days, 7)
    count = full_weeks * len(weekdays)
    for offset in range(remainder):
        if (first + timedelta(days=full_weeks * 7 + offset)).isoweekday() in weekdays:
            count += 1
    return count


@dataclass(frozen=True)
class Adherence:
    scheduled: int
    taken: int

    @property
    def ratio(self) -> float | None:
        return None if self.scheduled == 0 else self.taken / self.scheduled


def adherence(pairs: Iterable[tuple[Schedule, int]], span_start: date, span_end: date) -> Adherence:
    """Sum over regimens of (scheduled, taken capped at scheduled) within the span."""
    scheduled = taken = 0
    for schedule, doses_taken in pairs:
        due = scheduled_days(schedule, span_start, span_end)
        scheduled += due
        taken += min(doses_taken, due)
    return Adherence(scheduled, taken)
