"""The before / lag / after windows of a treatment-response comparison.

Plain date arithmetic, no Django and no scipy. Dates are the patient's own calendar dates
(`datetime.date`, never datetimes: day arithmetic on dates is exact, so daylight-saving
changes cannot make a window 55 or 57 "days" long). Every window is half-open,
`[start, end)`: `end` is the first day *not* in the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

DEFAULT_BEFORE_DAYS = 56
DEFAULT_LAG_DAYS = 14
#: Loading phases run 6-8 weeks; a lag beyond ~3 months leaves no fair "after".
MAX_LAG_DAYS = 90


class WindowError(ValueError):
    """A comparison window cannot be built; ``message`` is safe to show users.

    ``field`` names the input at fault so a form can attach the message to it.
    """

    def __init__(self, field: str, message: str, code: str = "invalid_window") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        # "start_in_future" and "too_early" are states of a diary, not mistakes in a request,
        # when the start is the patient's own regimen: the caller answers "too early to tell".
        self.code = code


def _require_date(value: object, name: str) -> date:
    # datetime is a subclass of date, but subtracting datetimes counts hours,
    # and across a daylight-saving change 24-hour steps drift off midnight.
    # Callers must convert to the patient's local calendar date first.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (not a datetime), got {value!r}")
    return value


def _long_date(day: date) -> str:
    # "3 March 2025": unambiguous across locales, unlike 03/03/2025.
    return f"{day.day} {day.strftime('%B')} {day.year}"


@dataclass(frozen=True)
class ResponseWindows:
    """Three adjacent half-open windows ``[start, end)``.

    ``before`` ends the day treatment starts; ``lag`` (the loading period, when
    serum levels are still rising) is left out of the comparison; ``after``
    runs to ``after_end`` exclusive, i.e. up to and including
    :attr:`after_last_day`.
    """

    before_start: date
    before_end: date
    lag_start: date
    lag_end: date
    after_start: date
    after_end: date

    def __post_init__(self) -> None:
        for name in ("before_start", "before_end", "lag_start", "lag_end", "after_start", "after_end"):
            _require_date(getattr(self, name), name)
        if not self.before_start < self.before_end:
            raise ValueError("before window is empty")
        if not self.after_start < self.after_end:
            raise ValueError("after window is empty")
        if not self.lag_start <= self.lag_end:
            raise ValueError("lag window ends before it starts")
        if not (self.before_end <= self.lag_start and self.lag_end <= self.after_start):
            raise ValueError("windows overlap or are out of order")

    @property
    def before_days(self) -> int:
        """Calendar days in the before window."""
        return (self.before_end - self.before_start).days

    @property
    def lag_days(self) -> int:
        """Calendar days left out between treatment start and the after window."""
        return (self.lag_end - self.lag_start).days

    @property
    def after_days(self) -> int:
        """Calendar days in the after window."""
        return (self.after_end - self.after_start).days

    @property
    def before_last_day(self) -> date:
        """Last day inside the before window (for display: "to 2 March")."""
        return self.before_end - timedelta(days=1)

    @property
    def after_last_day(self) -> date:
        """Last day inside the after window (for display)."""
        return self.after_end - timedelta(days=1)


def response_windows(
    start: date,
    today: date,
    *,
    before_days: int = DEFAULT_BEFORE_DAYS,
    lag_days: int = DEFAULT_LAG_DAYS,
    before_start: date | None = None,
    after_start: date | None = None,
    after_end: date | None = None,
) -> ResponseWindows:
    """Build the before / lag / after windows around a treatment ``start``.

    * before = ``[start - before_days, start)``, or ``[before_start, start)``
      when ``before_start`` is given (``before_days`` is then not used for
      the length, but is still validated).
    * lag = ``[start, after_start)``; by default ``after_start`` is
      ``start + lag_days``. An explicit ``after_start`` may push the after
      window later but never into the first ``lag_days`` days, because
      serum levels are still rising then and counting those days would make
      the treatment look weaker than it is.
    * after = ``[after_start, last day]`` where the last day is
      ``after_end`` if given, else ``today``. **``after_end`` is inclusive**
      (it is the last day a user picks in a form); the returned
      ``ResponseWindows.after_end`` is the exclusive bound, one day later.

    Raises :class:`WindowError` (a ``ValueError``) with a user-facing message.
    """
    _require_date(start, "start")
    _require_date(today, "today")
    for name, value in (
        ("before_start", before_start),
        ("after_start", after_start),
        ("after_end", after_end),
    ):
        if value is not None:
            _require_date(value, name)

    if isinstance(lag_days, bool) or not isinstance(lag_days, int) or not 0 <= lag_days <= MAX_LAG_DAYS:
        raise WindowError("lag_days", f"The waiting period must be a whole number of days from 0 to {MAX_LAG_DAYS}.")
    if isinstance(before_days, bool) or not isinstance(before_days, int) or before_days < 1:
        raise WindowError("before_days", "The period before starting must be at least 1 day long.")

    if start > today:
        raise WindowError("start", "The start date cannot be in the future.", "start_in_future")

    if before_start is None:
        before_start = start - timedelta(days=before_days)
    elif before_start >= start:
        raise WindowError(
            "before_start",
            f"The period before starting must begin before the start date ({_long_date(start)}).",
        )

    earliest_after = start + timedelta(days=lag_days)
    if after_start is None:
        after_start = earliest_after
    elif after_start < earliest_after:
        raise WindowError(
            "after_start",
            f"The period after starting can begin on {_long_date(earliest_after)} at the earliest: "
            f"the first {lag_days} days are left out while vitamin D levels rise.",
        )
    elif after_start > today:
        raise WindowError("after_start", "The period after starting cannot begin in the future.")

    if after_end is None:
        last_day = today
        if last_day < after_start:
            raise WindowError(
                "start",
                f"It is too early to compare: the period after starting begins on "
                f"{_long_date(after_start)}, once the {lag_days}-day waiting period is over.",
                "too_early",
            )
    else:
        if after_end > today:
            raise WindowError("after_end", "The end of the period after starting cannot be in the future.")
        if after_end < after_start:
            raise WindowError(
                "after_end",
                f"The period after starting must end on or after {_long_date(after_start)}, the day it begins.",
            )
        last_day = after_end

    return ResponseWindows(
        before_start=before_start,
        before_end=start,
        lag_start=start,
        lag_end=after_start,
        after_start=after_start,
        after_end=last_day + timedelta(days=1),
    )
