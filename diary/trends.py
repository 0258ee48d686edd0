"""Reads behind the trend endpoints: counting in SQL, arithmetic in plain functions.

Buckets use each row's stored `local_date` (the patient's own date when it was logged),
so an episode at 23:30 in Los Angeles counts on that Los Angeles day, and moving to
another zone later does not shift history. Query counts do not depend on how many rows
a patient has: each series is one grouped query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth, TruncWeek

from accounts.models import User
from diary import stats, units
from diary.adherence import Adherence, Schedule, adherence
from diary.models import LabResult, ObservedDay, SpasmEpisode, SunExposure, SupplementDose, SupplementRegimen

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
def _trunc(bucket: str):
    if bucket == "day":
        return F("local_date")
    # PostgreSQL's date_trunc answers a timestamp even for a date; cast it back so the
    # driver reads dates, not timestamps parsed one by one (half the time of a long series).
    return Cast((TruncWeek if bucket == "week" else TruncMonth)("local_date", output_field=DateField()), DateField())


NIGHT = Q(night=True)  # set when logged: during sleep or 22:00-05:59 in the patient's zone


def _episodes(patient: User) -> QuerySet[SpasmEpisode]:
    return SpasmEpisode.objects.filter(patient=patient).order_by()


def _observed(patient: User) -> QuerySet[ObservedDay]:
    """Days with any diary activity, an explicit "no cramps today" included."""
    return ObservedDay.objects.filter(patient=patient).order_by()


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
    in_range = {"local_date__gte": first, "local_date__lte": last}
    trunc = _trunc(bucket)

    episode_rows = (
        _episodes(patient).filter(**in_range).annotate(b=trunc).values("b")
        .annotate(n=Count("id"), severity=Avg("severity"), night_n=Count("id", filter=NIGHT))
        .order_by()
    )  # fmt: skip
    for row in episode_rows:
        target = by_start[row["b"]]
        target.episodes, target.mean_severity, target.night_episodes = row["n"], row["severity"], row["night_n"]

    for row in _observed(patient).filter(**in_range).annotate(b=trunc).values("b").annotate(n=Count("id")):
        by_start[row["b"]].observed_days = row["n"]

    sun_rows = (
        SunExposure.objects.filter(patient=patient, **in_range)
        .annotate(b=trunc)
        .values("b")
        .annotate(m=Sum("minutes"))
        .order_by()
    )
    for row in sun_rows:
        by_start[row["b"]].sun_minutes = row["m"] or 0

    regimens = vitamin_d_regimens(patient)
    dose_rows = (
        SupplementDose.objects.filter(patient=patient, supplement__in=units.VITAMIN_D_SUPPLEMENTS, **in_range)
        .annotate(b=trunc).values("b", "regimen_id")
        .annotate(iu=Sum("amount_normalised"), n=Count("id"))
        .order_by()
    )  # fmt: skip
    taken: dict[tuple[date, Any], int] = {}
    for row in dose_rows:
        by_start[row["b"]].vitamin_d_iu += row["iu"] or 0.0
        if row["regimen_id"] is not None:
            taken[(row["b"], row["regimen_id"])] = row["n"]
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
    vitamin_d_before: LabResult | None
    vitamin_d_after: LabResult | None
    sentence: str


def _window_q(first: date, end_exclusive: date) -> Q:
    return Q(local_date__gte=first, local_date__lt=end_exclusive)


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
    before, after = window_counts(patient, windows)
    treatment = "vitamin D" if source == "regimen" else "the change"
    response = stats.treatment_response(before, after, treatment=treatment)
    adherence_after = (
        regimen_adherence(patient, regimens, windows.after_start, windows.after_last_day) if regimens else None
    )
    labs = list(LabResult.objects.filter(patient=patient, analyte=units.VITAMIN_D_25OH).order_by("collected_on"))
    lab_before = next((lab for lab in reversed(labs) if lab.collected_on <= start), None)
    lab_after = next((lab for lab in reversed(labs) if lab.collected_on > start), None)
    return TreatmentResponseResult(
        start, source, windows, response, adherence_after, lab_before, lab_after, response.sentence
    )


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
        AND o.local_date >= %(after_start)s AND o.local_date < %(after_end)s)
FROM diary_spasmepisode e
WHERE e.patient_id = %(patient)s AND e.local_date >= %(before_start)s AND e.local_date < %(after_end)s
    AND (e.local_date < %(before_end)s OR e.local_date >= %(after_start)s)
"""


def window_counts(patient: User, windows: stats.ResponseWindows) -> tuple[stats.WindowStats, stats.WindowStats]:
    """Episodes, mean severity, night episodes and observed days of both windows, counted
    in one SQL statement. Written as SQL rather than two ORM aggregates with six FILTER
    clauses: building those expressions cost more than running them (about 4 ms of the
    endpoint's 10). Portable: plain CASE, no FILTER, on PostgreSQL and SQLite."""
    params = {
        "patient": User._meta.pk.get_db_prep_value(patient.pk, connection),
        "before_start": windows.before_start,
        "before_end": windows.before_end,
        "after_start": windows.after_start,
        "after_end": windows.after_end,
    }
    with connection.cursor() as cursor:
        cursor.execute(_WINDOW_COUNTS_SQL, params)
        n_before, n_after, sev_before, sev_after, night_before, night_after, days_before, days_after = cursor.fetchone()
    return (
        stats.WindowStats(
            int(n_before), int(days_before), None if sev_before is None else float(sev_before), int(night_before)
        ),
        stats.WindowStats(
            int(n_after), int(days_after), None if sev_after is None else float(sev_after), int(night_after)
        ),
    )


def regimen_adherence(patient: User, regimens: Iterable[SupplementRegimen], first: date, last: date) -> Adherence:
    regimens = list(regimens)
    taken = dict(
        SupplementDose.objects.filter(patient=patient, regimen__in=regimens, local_date__gte=first, local_date__lte=last)
        .values("regimen_id").annotate(n=Count("id")).values_list("regimen_id", "n")
    )  # fmt: skip
    return adherence(((_schedule(r), taken.get(r.id, 0)) for r in regimens), first, last)
