"""Pure time arithmetic for supplement reminders, and a reminder's schedule as a value.

Plain Python (``zoneinfo`` + ``datetime``) with no Django import, so it can be
unit-tested without settings and reused from the Celery beat tick, the API and
management commands alike.

Conventions
-----------
* Every *instant* that crosses this module's boundary is an aware
  ``datetime``.  Inputs may carry any tzinfo; everything returned is in UTC
  (``datetime.timezone.utc``), because ``next_fire_at`` is stored and compared
  in UTC by the beat tick.
* A patient's schedule is a *wall-clock* rule: "08:00 in Europe/London".  We
  therefore always build the candidate in local wall time first and only then
  convert to UTC.  Adding 24 hours to yesterday's UTC instant would drift by
  an hour at every DST change.

DST rules (see ``_resolve``)
----------------------------
* Wall time that exists once: fire at it.
* Wall time that does not exist (spring-forward gap, e.g. 02:30 on 2026-03-08
  in America/New_York): fire at the first valid minute after the gap, i.e. the
  instant the clocks jump to (03:00 local).  Shifting "by the size of the gap"
  (to 03:30) would make the reminder later than necessary.
* Wall time that exists twice (fall-back, e.g. 01:30 on 2026-11-01 in New
  York): fire ONCE, at the first occurrence (``fold=0``).  Because we produce
  exactly one candidate per local *date*, the second occurrence can never be
  returned as "the next slot" after the first one.

Quiet hours (see ``QuietWindow``)
---------------------------------
The window is the half-open wall-clock interval ``[start, end)``; it may cross
midnight (``22:00-07:00``).  If the wall time at which a slot would ring falls
inside it, the slot is moved to ``end`` **on the same local date the slot
belongs to**.  The slot belongs to a diary date (the day's dose), so moving it
never changes which date/weekday it counts for.  Consequence for windows that
cross midnight: a 23:00 reminder with quiet hours 22:00-07:00 rings at 07:00 of
*that same date*, i.e. earlier in the day than nominal -- not at 07:00 the next
morning.  A reminder at exactly ``end`` is not quiet; one at exactly ``start``
is.  The check uses the wall time the reminder would really ring at, i.e.
after the DST-gap adjustment above.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "CatchUp",
    "Due",
    "QuietWindow",
    "ReminderSchedule",
    "catch_up",
    "follow_up_at",
    "local_date",
    "next_fire_at",
    "slots_between",
    "snooze_until",
]


# Bounds for snoozing: at least a minute (anything less is a resend), at most
# 12 hours (longer than that is really "skip this dose", not a snooze).
SNOOZE_MIN_MINUTES = 1
SNOOZE_MAX_MINUTES = 720

DEFAULT_GRACE = timedelta(hours=2)
DEFAULT_FOLLOW_UP_WINDOW = timedelta(hours=2)

# The search for the next slot walks local dates.  A weekly schedule needs at
# most 7 dates past the start; we start one date early (see next_fire_at) and
# leave slack for zones that skipped a whole calendar day (Pacific/Apia,
# 2011-12-30).  Reaching the cap means a bug, not a legitimate schedule.
_MAX_DATES_SEARCHED = 16


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


def _zone(tz: str) -> ZoneInfo:
    """Return the ZoneInfo for ``tz`` or raise ValueError.

    ZoneInfo raises a zoo of exceptions for bad keys (ZoneInfoNotFoundError is
    a KeyError, malformed/absolute paths give ValueError, a directory such as
    "America" gives IsADirectoryError); callers should only need to handle one.
    """
    if not isinstance(tz, str) or not tz:
        raise ValueError(f"invalid time zone: {tz!r}")
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError, OSError) as exc:
        raise ValueError(f"invalid time zone: {tz!r}") from exc


def _require_aware(value: datetime, name: str) -> datetime:
    """Reject naive datetimes: a naive instant is ambiguous by definition."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _to_utc(value: datetime, name: str) -> datetime:
    # astimezone(UTC) is real elapsed-time conversion; doing arithmetic on the
    # UTC value avoids Python's wall-clock semantics for same-tzinfo
    # arithmetic (aware_ny + timedelta ignores DST transitions).
    return _require_aware(value, name).astimezone(UTC)


def _wall_time(value: time, name: str) -> time:
    """Validate a local wall-clock time and normalise its fold.

    A tz-aware ``time`` would contradict the separate ``tz`` argument.  The
    fold is forced to 0 because the ambiguity rule (first occurrence) is a
    policy of this module, not something callers choose per reminder.
    """
    if not isinstance(value, time):
        raise TypeError(f"{name} must be a datetime.time, got {type(value).__name__}")
    if value.tzinfo is not None:
        raise ValueError(f"{name} must be a naive wall-clock time; pass the zone as tz")
    return value.replace(fold=0)


def _weekday_set(weekdays: Collection[int] | None) -> frozenset[int]:
    """ISO weekdays 1 (Mon) .. 7 (Sun).  Empty set means every day."""
    if not weekdays:
        return frozenset()
    result: set[int] = set()
    for day in weekdays:
        # bool is an int subclass; True as "Monday" is almost surely a bug.
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7:
            raise ValueError(f"weekdays must be ISO weekdays 1..7, got {day!r}")
        result.add(day)
    return frozenset(result)


# --------------------------------------------------------------------------
# Quiet hours
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietWindow:
    """Wall-clock interval ``[start, end)`` during which reminders must not ring.

    ``start > end`` means the window crosses midnight (22:00-07:00).
    ``start == end`` is rejected: it could mean "never quiet" or "always quiet"
    and guessing wrong either spams or silences a patient.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        _wall_time(self.start, "quiet_start")
        _wall_time(self.end, "quiet_end")
        if self._key(self.start) == self._key(self.end):
            raise ValueError("quiet_start and quiet_end must differ")

    @staticmethod
    def _key(value: time) -> time:
        # Compare wall times without fold/tzinfo noise.
        return value.replace(fold=0, tzinfo=None)

    def contains(self, wall: time) -> bool:
        t, start, end = self._key(wall), self._key(self.start), self._key(self.end)
        if start < end:
            return start <= t < end
        # Crosses midnight: quiet late in the evening OR early in the morning.
        return t >= start or t < end

    @classmethod
    def from_bounds(cls, start: time | None, end: time | None) -> QuietWindow | None:
        if start is None and end is None:
            return None
        if start is None or end is None:
            # Half a window is almost certainly a form/serialisation bug.
            raise ValueError("quiet_start and quiet_end must be given together")
        return cls(start, end)


# --------------------------------------------------------------------------
# Core: local wall time on a date -> UTC instant
# --------------------------------------------------------------------------


def _gap_end(naive: datetime, zone: ZoneInfo) -> datetime:
    """First valid minute (UTC) after the DST gap that swallows ``naive``.

    For a nonexistent wall time PEP 495 gives two readings: fold=1 uses the
    post-transition offset (an instant *before* the transition) and fold=0 uses
    the pre-transition offset (an instant *after* it).  The transition lies
    between them; zoneinfo does not expose transitions publicly, so we binary
    search on whole seconds (transitions are whole seconds in tzdata).
    """
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)  # pre-transition
    after = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)  # post-transition
    if not before < after:  # pragma: no cover - would mean naive is not in a gap
        raise AssertionError(f"{naive} is not inside a DST gap in {zone.key}")
    post_offset = after.astimezone(zone).utcoffset()

    def is_post(seconds: int) -> bool:
        instant = datetime.fromtimestamp(seconds, UTC)
        return instant.astimezone(zone).utcoffset() == post_offset

    # Invariant: lo is pre-transition, hi is post-transition.
    lo = math.floor(before.timestamp())
    hi = math.ceil(after.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if is_post(mid):
            hi = mid
        else:
            lo = mid
    transition = datetime.fromtimestamp(hi, UTC)
    # Modern zones jump on whole minutes; historic LMT offsets have seconds, so
    # round the *local* reading up to a whole minute as the rule promises.
    local = transition.astimezone(zone)
    if local.second:
        transition += timedelta(seconds=60 - local.second)
    return transition


def _resolve(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """UTC instant at which wall time ``wall`` happens on local date ``day``."""
    naive = datetime.combine(day, wall).replace(fold=0)
    # fold=0 selects the FIRST occurrence of an ambiguous wall time (fall back).
    instant = naive.replace(tzinfo=zone).astimezone(UTC)
    # Round trip: a wall time inside a spring-forward gap comes back different.
    # (Naive comparison ignores fold, so ambiguous times round-trip equal.)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:
        return _gap_end(naive, zone)
    return instant


def _slot_on(day: date, wall: time, zone: ZoneInfo, quiet: QuietWindow | None) -> datetime:
    """The (single) firing instant belonging to local date ``day``."""
    instant = _resolve(day, wall, zone)
    if quiet is not None:
        # Check the wall time it would actually ring at (after any gap shift),
        # so a gap can't push a reminder into quiet hours unnoticed.
        rings_at = instant.astimezone(zone).time()
        if quiet.contains(rings_at):
            # Documented rule: quiet end on the SAME local date the slot belongs
            # to (see module docstring).
            instant = _resolve(day, quiet.end, zone)
    return instant


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def next_fire_at(
    *,
    after: datetime,
    local_time: time,
    tz: str,
    weekdays: Collection[int] | None = None,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
) -> datetime:
    """First firing instant strictly after ``after``, as an aware UTC datetime.

    ``weekdays`` are ISO weekdays (1=Mon .. 7=Sun) of the patient's LOCAL date
    (a Monday 08:00 reminder in Auckland fires on Sunday in UTC); ``None`` or
    empty means every day.  DST and quiet-hour rules are in the module
    docstring.  Raises ValueError for an invalid ``tz``, naive ``after``,
    weekdays outside 1..7, or a malformed quiet window.
    """
    zone = _zone(tz)
    after_utc = _to_utc(after, "after")
    wall = _wall_time(local_time, "local_time")
    days = _weekday_set(weekdays)
    quiet = QuietWindow.from_bounds(quiet_start, quiet_end)

    # Start one local date early: a quiet-hours move or a gap can place a
    # slot's instant on a different date than expected, and yesterday's slot
    # is cheap to reject by the strict "> after" comparison.
    first_day = after_utc.astimezone(zone).date() - timedelta(days=1)
    for offset in range(_MAX_DATES_SEARCHED):
        day = first_day + timedelta(days=offset)
        if days and day.isoweekday() not in days:
            continue
        candidate = _slot_on(day, wall, zone, quiet)
        # Strictly after: the beat tick passes the slot it just fired as
        # ``after`` and must never get the same slot back.
        if candidate > after_utc:
            return candidate
    raise RuntimeError(  # pragma: no cover - unreachable with valid weekdays
        f"no slot found within {_MAX_DATES_SEARCHED} days after {after_utc.isoformat()}"
    )


def slots_between(
    *,
    since: datetime,
    until: datetime,
    local_time: time,
    tz: str,
    weekdays: Collection[int] | None = None,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
) -> list[datetime]:
    """All firing instants in the half-open interval ``(since, until]``, oldest first.

    Half-open so that consecutive catch-up windows ``(a, b]``, ``(b, c]`` never
    yield the same slot twice.  Returns ``[]`` if ``until <= since``.  The
    optional quiet window has the same meaning as in ``next_fire_at`` so that
    catch-up sees the same slots the live schedule would have fired.
    """
    since_utc = _to_utc(since, "since")
    until_utc = _to_utc(until, "until")
    slots: list[datetime] = []
    cursor = since_utc
    while True:
        slot = next_fire_at(
            after=cursor,
            local_time=local_time,
            tz=tz,
            weekdays=weekdays,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
        )
        if slot > until_utc:
            return slots
        slots.append(slot)
        cursor = slot


@dataclass(frozen=True)
class CatchUp:
    """Outcome of catching up after an outage.

    ``send``: the one slot to deliver now (or None).  ``missed``: every other
    due slot, oldest first, to be recorded as missed -- never delivered.
    """

    send: datetime | None
    missed: list[datetime] = field(default_factory=list)


def catch_up(
    *,
    due_slots: list[datetime],
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> CatchUp:
    """Decide what to deliver for slots that came due while nobody was firing.

    Rule:
      * a slot is *within grace* if ``now - slot <= grace`` (boundary inclusive);
      * at most ONE reminder is sent: the newest slot within grace.  Sending a
        burst of "take your 1,000 IU now" for every missed slot could lead a
        patient to take several doses at once;
      * every other slot (older slots, and anything older than grace) goes to
        ``missed`` so the diary still shows the gap honestly;
      * duplicate instants are collapsed, so one slot is never both sent and
        missed, nor sent twice.

    All returned datetimes are UTC.  Slots later than ``now`` are not due and
    indicate a caller bug, so they raise ValueError, as do naive datetimes and a
    negative grace.
    """
    now_utc = _to_utc(now, "now")
    if grace < timedelta(0):
        raise ValueError("grace must not be negative")
    slots = sorted({_to_utc(s, "due_slots[]") for s in due_slots})
    if slots and slots[-1] > now_utc:
        raise ValueError(f"slot {slots[-1].isoformat()} is not due yet at {now_utc.isoformat()}")
    if slots and now_utc - slots[-1] <= grace:
        return CatchUp(send=slots[-1], missed=slots[:-1])
    return CatchUp(send=None, missed=slots)


def snooze_until(now: datetime, minutes: int) -> datetime:
    """Instant (UTC) ``minutes`` of real elapsed time after ``now``; 1..720 allowed."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError(f"minutes must be an int, got {type(minutes).__name__}")
    if not SNOOZE_MIN_MINUTES <= minutes <= SNOOZE_MAX_MINUTES:
        raise ValueError(f"minutes must be between {SNOOZE_MIN_MINUTES} and {SNOOZE_MAX_MINUTES}, got {minutes}")
    # Convert first: aware+timedelta on a zoneinfo datetime is wall-clock
    # arithmetic and would be off by an hour across a DST change.
    return _to_utc(now, "now") + timedelta(minutes=minutes)


def follow_up_at(scheduled: datetime, window: timedelta = DEFAULT_FOLLOW_UP_WINDOW) -> datetime:
    """When to nudge "did you take it?" if a reminder is still unconfirmed (UTC).

    Elapsed-time arithmetic in UTC, for the same reason as ``snooze_until``.
    """
    if window <= timedelta(0):
        raise ValueError("window must be positive")
    return _to_utc(scheduled, "scheduled") + window


def local_date(instant: datetime, tz: str) -> date:
    """The patient's local calendar date for ``instant`` (diary days are local)."""
    return _to_utc(instant, "instant").astimezone(_zone(tz)).date()


# --------------------------------------------------------------------------
# A reminder's schedule: the rule above, inside its regimen's dates
# --------------------------------------------------------------------------

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
        return next_fire_at(
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
        day = local_date(slot, self.tz)
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
        while self.start_date is not None and local_date(slot, self.tz) < self.start_date:
            slot = self._next(slot)
        if self.end_date is not None and local_date(slot, self.tz) > self.end_date:
            return None
        return slot

    def due(self, *, first: datetime, now: datetime, grace: timedelta) -> Due:
        """What a tick at `now` does for a reminder whose stored next slot is `first`.

        Every slot from `first` up to `now` is due; `schedule.catch_up` picks the one to
        send (the newest within the grace) and the others are recorded as missed.
        """
        slots = [first] if first <= now else []
        if slots:
            slots += slots_between(
                since=first,
                until=now,
                local_time=self.local_time,
                tz=self.tz,
                weekdays=self.weekdays,
                quiet_start=self.quiet_start,
                quiet_end=self.quiet_end,
            )
        decision = catch_up(due_slots=[s for s in slots if self.in_window(s)], now=now, grace=grace)
        return Due(send=decision.send, missed=tuple(decision.missed[-MAX_MISSED_RECORDED:]), next=self.next_after(now))


@dataclass(frozen=True)
class Due:
    send: datetime | None
    missed: tuple[datetime, ...]
    next: datetime | None
