"""Calendar buckets of a trend series (day, week, month), in the patient's own dates.
Plain date arithmetic, no Django."""

from __future__ import annotations

from datetime import date, timedelta

BUCKETS = ("day", "week", "month")
DEFAULT_SPAN_DAYS = {"day": 56, "week": 182, "month": 730}
MAX_BUCKETS = {"day": 731, "week": 530, "month": 240}


def bucket_start(day: date, bucket: str) -> date:
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    return day.replace(day=1)


def next_bucket(start: date, bucket: str) -> date:
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_spans(first: date, last: date, bucket: str) -> list[tuple[date, date]]:
    """(start, last day) of each bucket touching [first, last], clipped to it."""
    spans, start = [], bucket_start(first, bucket)
    while start <= last:
        end = next_bucket(start, bucket) - timedelta(days=1)
        spans.append((max(start, first), min(end, last)))
        start = next_bucket(start, bucket)
    return spans
