"""Reads behind the trend endpoints: counting in SQL, arithmetic in plain functions.

Buckets use each row's stored `local_date` (the patient's own date when it was logged),
so an episode at 23:30 in Los Angeles counts on that Los Angeles day, and moving to
another zone later does not shift history. Query counts do not depend on how many rows
a patient has: each series is one grouped query.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count

from accounts.models import User
from diary import stats, units
from diary.adherence import Adherence, Schedule, adherence
from diary.models import LabResult, SupplementDose, SupplementRegimen

BUCKETS = ("day", "week", "month")
DEFAULT_SPAN_DAYS = {"day": 56, "week": 182, "month": 730}
MAX_BUCKETS = {"day": 731, "week": 530, "month": 240}


# --- plain date arithmetic --------------------------------------------------------------
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


# --- SQL pieces -------------------------------------------------------------------------
def _bucket_sql(bucket: str) -> str:
    """SQL for the first day of a row's bucket (ISO weeks start on Monday)."""
    if bucket == "day":
        return "local_date"
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('{bucket}', local_date) AS date)"
    if bucket == "week":  # SQLite: %w is 0 on Sunday
        return "date(local_date, '-' || ((CAST(strftime('%%w', local_date) AS integer) + 6) %% 7) || ' days')"
    return "date(local_date, 'start of month')"


_SERIES_SQL = """
SELECT 'episode', {b}, COUNT(*), AVG(severity), SUM(CASE WHEN night THEN 1 ELSE 0 END), NULL
    FROM diary_spasmepisode WHERE {where} GROUP BY 2
UNION ALL
SELECT 'observed', {b}, COUNT(*), NULL, 0, NULL FROM diary_observedday WHERE {where} GROUP BY 2
UNION ALL
SELECT 'sun', {b}, SUM(minutes), NULL, 0, NULL FROM diary_sunexposure WHERE {where} GROUP BY 2
UNION ALL
SELECT 'dose', {b}, COUNT(*), SUM(amount_normalised), 0, CAST(regimen_id AS text) FROM diary_supplementdose
    WHERE {where} AND supplement IN ({vitamin_d}) GROUP BY 2, regimen_id
"""


def _bucket_rows(patient: User, bucket: str, first: date, last: date) -> list[tuple]:
    """Per bucket: episodes (count, mean severity, night), observed days, sun minutes and
    vitamin D doses per regimen, in one statement. One round trip instead of four ORM
    queries, whose building and row conversion cost more than the counting itself (the
    trend endpoints' latency target is 3x a trivial GET)."""
    supplements = sorted(units.VITAMIN_D_SUPPLEMENTS)
    sql = _SERIES_SQL.format(
        b=_bucket_sql(bucket),
        where="patient_id = %s AND local_date >= %s AND local_date <= %s",
        vitamin_d=", ".join(["%s"] * len(supplements)),
    )
    patient_id = User._meta.pk.get_db_prep_value(patient.pk, connection)
    where = [patient_id, first, last]
    with connection.cursor() as cursor:
        cursor.execute(sql, where * 3 + where + supplements)
        rows = cursor.fetchall()
    # SQLite answers dates as text.
    return [(kind, key if isinstance(key, date) else date.fromisoformat(key), *rest) for kind, key, *rest in rows]


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def vitamin_d_regimens(patient: User) -> list[SupplementRegimen]:
    return list(
        SupplementRegimen.objects.filter(patient=patient, supplement__in=units.VITAMIN_D_SUPPLEMENTS).order_by(
            "start_date", "created_at"
        )
    )


def _schedule(regimen: SupplementRegimen) -> Schedule:
    return Schedule(regimen.frequency, regimen.weekdays, regimen.start_date, regimen.end_date)


# --- series -------------------------------------------------------------------------------
@dataclass
class Bucket:
    start: date
    end: date
    days: int
    episodes: int = 0
    observed_days: int = 0
    mean_severity: float | None = None
    night_episodes: int = 0
    sun_minutes: int = 0
    vitamin_d_iu: float = 0.0
    adherence_scheduled: int = 0
    adherence_taken: int = 0

    @property
    def episodes_per_observed_day(self) -> float | None:
        return None if self.observed_days == 0 else self.episodes / self.observed_days

    @property
    def vitamin_d_iu_per_day(self) -> float:
        return self.vitamin_d_iu / self.days

    @property
    def adherence(self) -> float | None:
        return Adherence(self.adherence_scheduled, self.adherence_taken).ratio


@dataclass
class Series:
    bucket: str
    first: date
    last: date
    buckets: list[Bucket]
    labs: list[LabResult]
    supplementation_start: date | None
    loading_lag_days: int
    regimens: list[SupplementRegimen] = field(default_factory=list)


def spasm_series(*, patient: User, bucket: str, first: date, last: date) -> Series:
    spans = bucket_spans(first, last, bucket)
    by_start = {bucket_start(span[0], bucket): Bucket(span[0], span[1], (span[1] - span[0]).days + 1) for span in spans}
    regimens = vitamin_d_regimens(patient)
    taken: dict[tuple[date, Any], int] = {}
    for kind, key, count, value, night, regimen_id in _bucket_rows(patient, bucket, first, last):
        target = by_start[key]
        if kind == "episode":
            target.episodes, target.night_episodes = int(count), int(night)
            target.mean_severity = None if value is None else float(value)
        elif kind == "observed":
            target.observed_days = int(count)
        elif kind == "sun":
            target.sun_minutes = int(count or 0)
        else:  # vitamin D doses, per regimen
            target.vitamin_d_iu += float(value or 0.0)
            if regimen_id is not None:
                taken[(key, _uuid(regimen_id))] = int(count)
    if regimens:
        for key, target in by_start.items():
            result = adherence(((_schedule(r), taken.get((key, r.id), 0)) for r in regimens), target.start, target.end)
            target.adherence_scheduled, target.adherence_taken = result.scheduled, result.taken

    labs = list(
        LabResult.objects.filter(patient=patient, collected_on__gte=first, collected_on__lte=last).order_by(
            "collected_on", "analyte"
        )
    )
    start = regimens[0].start_date if regimens else None
    return Series(bucket, first, last, list(by_start.values()), labs, start, stats.DEFAULT_LAG_DAYS, regimens)


# --- treatment response -------------------------------------------------------------------
@dataclass
class TreatmentResponseResult:
    start: date | None
    start_source: str  # "regimen" | "given" | "none"
    windows: stats.ResponseWindows | None
    response: stats.TreatmentResponse | None
    adherence_after: Adherence | None
    vitamin_d_before: LabPoint | None
    vitamin_d_after: LabPoint | None
    sentence: str


def treatment_response(
    *,
    patient: User,
    today: date,
    start: date | None = None,
    before_days: int = stats.DEFAULT_BEFORE_DAYS,
    lag_days: int = stats.DEFAULT_LAG_DAYS,
    before_start: date | None = None,
    after_start: date | None = None,
    after_end: date | None = None,
) -> TreatmentResponseResult:
    """Did spasms become less frequent after the start? Raises stats.WindowError on bad windows."""
    regimens = vitamin_d_regimens(patient)
    source = "given" if start else "regimen"
    if start is None:
        if not regimens:
            return TreatmentResponseResult(
                None, "none", None, None, None, None, None,
                "Add your vitamin D regimen (or choose a start date) to compare cramps before and after.",
            )  # fmt: skip
        start = regimens[0].start_date
    windows = stats.response_windows(
        start,
        today,
        before_days=before_days,
        lag_days=lag_days,
        before_start=before_start,
        after_start=after_start,
        after_end=after_end,
    )
    counts = window_counts(patient, windows, start=start, regimens=regimens)
    treatment = "vitamin D" if source == "regimen" else "the change"
    response = stats.treatment_response(counts.before, counts.after, treatment=treatment)
    adherence_after = (
        adherence(
            ((_schedule(r), counts.taken_after.get(r.id, 0)) for r in regimens),
            windows.after_start,
            windows.after_last_day,
        )
        if regimens
        else None
    )
    return TreatmentResponseResult(
        start, source, windows, response, adherence_after, counts.lab_before, counts.lab_after, response.sentence
    )


@dataclass(frozen=True)
class LabPoint:
    collected_on: date
    value_normalised: float
    category: str


@dataclass(frozen=True)
class WindowCounts:
    before: stats.WindowStats
    after: stats.WindowStats
    lab_before: LabPoint | None  # the latest 25(OH)D on or before the start
    lab_after: LabPoint | None  # the latest 25(OH)D after it
    taken_after: dict[uuid.UUID, int]  # doses logged against each regimen in the after window


_LAB_SQL = """(SELECT {column} FROM diary_labresult l WHERE l.patient_id = %(patient)s AND l.analyte = %(analyte)s
        AND l.collected_on {compare} %(start)s ORDER BY l.collected_on DESC, l.created_at DESC LIMIT 1)"""

_WINDOW_COUNTS_SQL = """
SELECT
    COALESCE(SUM(CASE WHEN e.local_date < %(before_end)s THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN e.local_date >= %(after_start)s THEN 1 ELSE 0 END), 0),
    AVG(CASE WHEN e.local_date < %(before_end)s THEN e.severity END),
    AVG(CASE WHEN e.local_date >= %(after_start)s THEN e.severity END),
    COALESCE(SUM(CASE WHEN e.local_date < %(before_end)s AND e.night THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN e.local_date >= %(after_start)s AND e.night THEN 1 ELSE 0 END), 0),
    (SELECT COUNT(*) FROM diary_observedday o WHERE o.patient_id = %(patient)s
        AND o.local_date >= %(before_start)s AND o.local_date < %(before_end)s),
    (SELECT COUNT(*) FROM diary_observedday o WHERE o.patient_id = %(patient)s
        AND o.local_date >= %(after_start)s AND o.local_date < %(after_end)s),
    {labs}
    {regimens}
FROM diary_spasmepisode e
WHERE e.patient_id = %(patient)s AND e.local_date >= %(before_start)s AND e.local_date < %(after_end)s
    AND (e.local_date < %(before_end)s OR e.local_date >= %(after_start)s)
"""


def window_counts(
    patient: User, windows: stats.ResponseWindows, *, start: date, regimens: list[SupplementRegimen]
) -> WindowCounts:
    """Everything the treatment response counts, in one SQL statement: episodes, mean
    severity, night episodes and observed days of both windows, the 25(OH)D results either
    side of the start, and the doses logged against each regimen in the after window.

    Written as SQL rather than ORM queries: at about 0.7 ms a round trip, four queries and
    their building cost more than the counting (the endpoint's target is 3x a trivial GET).
    Portable: plain CASE and scalar subqueries, on PostgreSQL and SQLite."""
    params: dict[str, Any] = {
        "patient": User._meta.pk.get_db_prep_value(patient.pk, connection),
        "before_start": windows.before_start,
        "before_end": windows.before_end,
        "after_start": windows.after_start,
        "after_end": windows.after_end,
        "start": start,
        "analyte": units.VITAMIN_D_25OH,
    }
    labs = ",\n    ".join(
        _LAB_SQL.format(column=column, compare=compare)
        for compare in ("<=", ">")
        for column in ("l.collected_on", "l.value_normalised", "l.category")
    )
    regimen_columns = []
    for index, regimen in enumerate(regimens):
        params[f"regimen_{index}"] = SupplementRegimen._meta.pk.get_db_prep_value(regimen.pk, connection)
        regimen_columns.append(  # only an integer is interpolated; values are parameters
            f"(SELECT COUNT(*) FROM diary_supplementdose d WHERE d.regimen_id = %(regimen_{index})s"  # noqa: S608
            " AND d.local_date >= %(after_start)s AND d.local_date < %(after_end)s)"
        )
    sql = _WINDOW_COUNTS_SQL.format(labs=labs, regimens="".join(f",\n    {column}" for column in regimen_columns))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    n_before, n_after, sev_before, sev_after, night_before, night_after, days_before, days_after = row[:8]
    return WindowCounts(
        before=stats.WindowStats(int(n_before), int(days_before), _float(sev_before), int(night_before)),
        after=stats.WindowStats(int(n_after), int(days_after), _float(sev_after), int(night_after)),
        lab_before=_lab_point(row[8:11]),
        lab_after=_lab_point(row[11:14]),
        taken_after={regimen.id: int(count) for regimen, count in zip(regimens, row[14:], strict=True)},
    )


def _float(value) -> float | None:
    return None if value is None else float(value)


def _lab_point(values) -> LabPoint | None:
    collected_on, value, category = values
    if collected_on is None:
        return None
    # SQLite answers dates as text.
    day = collected_on if isinstance(collected_on, date) else date.fromisoformat(collected_on)
    return LabPoint(day, float(value), category)


def regimen_adherence(patient: User, regimens: Iterable[SupplementRegimen], first: date, last: date) -> Adherence:
    regimens = list(regimens)
    taken = dict(
        SupplementDose.objects.filter(patient=patient, regimen__in=regimens, local_date__gte=first, local_date__lte=last)
        .values("regimen_id").annotate(n=Count("id")).values_list("regimen_id", "n")
    )  # fmt: skip
    return adherence(((_schedule(r), taken.get(r.id, 0)) for r in regimens), first, last)
