"""A reminder's schedule as a value, on top of `diary.schedule`'s DST-safe arithmetic.

No Django here: the beat tick builds thousands of these per minute and memoises them,
and tests run them without a database. What this module adds to `diary.schedule` is the
regimen's window: a reminder made from a regimen rings only on the regimen's local dates
(start date to end date, inclusive).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from diary import schedule

# A reminder whose worker was down for months would otherwise record one missed row per
# slot; the diary's adherence is counted from the regimen, so older slots add nothing.
MAX_MISSED_RECORDED = 62


@dataclass(frozen=True)
class ReminderSchedule:
    local_time: time
    tz: str
    weekdays: tuple[int, ...] = ()
    quiet_start: time | None = None
    quiet_end: time | None = None
    start_date: date | None = None
    end_date: date | None = None

    @classmethod
    def of(
        cls,
        *,
        local_time: time,
        tz: str,
        weekdays: Iterable[int] | None = None,
        quiet_start: time | None = None,
        quiet_end: time | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
    ) -> ReminderSchedule:
        return cls(local_time, tz, tuple(sorted(weekdays or ())), quiet_start, quiet_end, start_date, end_date)

    def _next(self, after: datetime) -> datetime:
        return schedule.next_fire_at(
            after=after,
            local_time=self.local_time,
            tz=self.tz,
            weekdays=self.weekdays,
            quiet_start=self.quiet_start,
            quiet_end=self.quiet_end,
        )

    def in_window(self, slot: datetime) -> bool:
        if self.start_date is None and self.end_date is None:
            return True
        day = schedule.local_date(slot, self.tz)
        if self.start_date is not None and day < self.start_date:
            return False
        return self.end_date is None or day <= self.end_date

    def next_after(self, after: datetime) -> datetime | None:
        """The first slot strictly after `after` inside the regimen's dates; None once it has ended."""
        if self.start_date is not None:
            # Noon the day before the start is safely before any slot of the start date
            # (midnight itself does not exist in a few zones), and at most two slots early.
            eve = datetime.combine(self.start_date - timedelta(days=1), time(12)).replace(tzinfo=ZoneInfo(self.tz))
            after = max(after, eve)
        slot = self._next(after)
        while self.start_date is not None and schedule.local_date(slot, self.tz) < self.start_date:
            slot = self._next(slot)
        if self.end_date is not None and schedule.local_date(slot, self.tz) > self.end_date:
            return None
        return slot

    def due(self, *, first: datetime, now: datetime, grace: timedelta) -> Due:
        """What a tick at `now` does for a reminder whose stored next slot is `first`.

        Every slot from `first` up to `now` is due; `schedule.catch_up` picks the one to
        send (the newest within the grace) and the others are recorded as missed.
        """
        slots = [first] if first <= now else []
        if slots:
            slots += schedule.slots_between(
                since=first,
                until=now,
                local_time=self.local_time,
                tz=self.tz,
                weekdays=self.weekdays,
                quiet_start=self.quiet_start,
                quiet_end=self.quiet_end,
            )
        decision = schedule.catch_up(due_slots=[s for s in slots if self.in_window(s)], now=now, grace=grace)
        return Due(send=decision.send, missed=tuple(decision.missed[-MAX_MISSED_RECORDED:]), next=self.next_after(now))


@dataclass(frozen=True)
class Due:
    send: datetime | None
    missed: tuple[datetime, ...]
    next: datetime | None
