"""Reads behind the trend, treatment-response and adherence endpoints: counting in SQL,
arithmetic in the plain modules beside this one (`buckets`, `windows`, `stats`,
`adherence`). Every selector takes the patient the viewer may see (`accounts.scoping`).

Buckets use each row's stored `local_date` (the patient's own date when it was logged), so
an episode at 23:30 in Los Angeles counts on that Los Angeles day, and moving to another
zone later does not shift history. Query counts do not depend on how many rows a patient
has: each read is a fixed number of grouped queries.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection

from accounts.models import User
from diary import units
from diary.insights import regression, response, stats, windows
from diary.insights.adherence import Adherence, DoseLog, Plan, SkipLog, adherence, dose_window
from diary.insights.buckets import bucket_spans, bucket_start
from diary.models import DoseSkip, LabResult, SupplementDose, SupplementRegimen


def _db_id(patient: User) -> Any:
    return User._meta.pk.get_db_prep_value(patient.pk, connection)


def _as_date(value) -> date:
    # Raw cursors on SQLite answer dates as text.
    return value if isinstance(value, date) else date.fromisoformat(value)


# --- adherence ----------------------------------------------------------------------------
def regimens_overlapping(
    *, patient_ids: Collection[uuid.UUID], first: date, last: date, supplements: Collection[str] | None = None
) -> list[SupplementRegimen]:
    regimens = SupplementRegimen.objects.filter(patient_id__in=list(patient_ids), start_date__lte=last).exclude(
        end_date__lt=first
    )
    if supplements is not None:
        regimens = regimens.filter(supplement__in=list(supplements))
    return list(regimens.order_by("patient_id", "start_date", "created_at", "id"))


def adherence_for(
    *,
    regimens: Sequence[SupplementRegimen],
    first: date,
    last: date,
    today: date,
) -> Adherence:
    """The one adherence computation for these regimens' slots in [first, last]: loads the
    doses that can fill them and the skips said for them (two queries) and hands them to
    `adherence.adherence`."""
    if not regimens:
        return Adherence([])
    since, until = dose_window(first, last)
    patient_ids = {regimen.patient_id for regimen in regimens}
    supplements = {regimen.supplement for regimen in regimens}
    skips = [
        SkipLog(regimen_id, day)
        for regimen_id, day in DoseSkip.objects.filter(
            regimen__in=list(regimens), local_date__gte=first, local_date__lte=last
        ).values_list("regimen_id", "local_date")
    ]
    doses = [
        DoseLog(dose_id, patient_id, supplement, day, amount, regimen_id)
        for dose_id, patient_id, supplement, day, amount, regimen_id in SupplementDose.objects.filter(
            patient_id__in=patient_ids, supplement__in=supplements, local_date__gte=since, local_date__lte=until
        )
        .order_by()
        .values_list("id", "patient_id", "supplement", "local_date", "amount_normalised", "regimen_id")
    ]
    return adherence([Plan.of(r) for r in regimens], doses, skips, first=first, last=last, today=today)


def adherence_report(
    *, patient_ids: Collection[uuid.UUID], first: date, last: date, today: date, supplements=None
) -> tuple[list[SupplementRegimen], Adherence]:
    """Regimens overlapping [first, last] and their slots: two queries for any number of
    patients (the dashboard refresh and /adherence both read this)."""
    regimens = regimens_overlapping(patient_ids=patient_ids, first=first, last=last, supplements=supplements)
    return regimens, adherence_for(regimens=regimens, first=first, last=last, today=today)


# --- series -------------------------------------------------------------------------------
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
SELECT 'episode', {b}, COUNT(*), AVG(severity), SUM(CASE WHEN night THEN 1 ELSE 0 END)
    FROM diary_spasmepisode WHERE {where} GROUP BY 2
UNION ALL
SELECT 'reported', {b}, COUNT(*), NULL, 0 FROM diary_reportedday WHERE {where} GROUP BY 2
UNION ALL
SELECT 'sun', {b}, SUM(minutes), NULL, 0 FROM diary_sunexposure WHERE {where} GROUP BY 2
UNION ALL
SELECT 'dose', {b}, COUNT(*), SUM(amount_normalised), 0 FROM diary_supplementdose
    WHERE {where} AND supplement IN ({vitamin_d}) GROUP BY 2
"""


def _bucket_rows(patient: User, bucket: str, first: date, last: date) -> list[tuple]:
    """Per bucket: episodes (count, mean severity, night), reported days, sun minutes and
    vitamin D taken, in one statement. One round trip instead of four ORM queries, whose
    building and row conversion cost more than the counting itself."""
    supplements = sorted(units.VITAMIN_D_SUPPLEMENTS)
    sql = _SERIES_SQL.format(
        b=_bucket_sql(bucket),
        where="patient_id = %s AND local_date >= %s AND local_date <= %s",
        vitamin_d=", ".join(["%s"] * len(supplements)),
    )
    where = [_db_id(patient), first, last]
    with connection.cursor() as cursor:
        cursor.execute(sql, where * 3 + where + supplements)
        rows = cursor.fetchall()
    return [(kind, _as_date(key), *rest) for kind, key, *rest in rows]


@dataclass
class Bucket:
    start: date
    end: date
    days: int
    episodes: int = 0
    reported_days: int = 0
    mean_severity: float | None = None
    night_episodes: int = 0
    sun_minutes: int = 0
    vitamin_d_iu: float = 0.0
    adherence: float | None = None

    @property
    def episodes_per_reported_day(self) -> float | None:
        return None if self.reported_days == 0 else self.episodes / self.reported_days

    @property
    def vitamin_d_iu_per_day(self) -> float:
        return self.vitamin_d_iu / self.days


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


def vitamin_d_regimens(patient: User) -> list[SupplementRegimen]:
    return list(
        SupplementRegimen.objects.filter(patient=patient, supplement__in=units.VITAMIN_D_SUPPLEMENTS).order_by(
            "start_date", "created_at"
        )
    )


def spasm_series(*, patient: User, bucket: str, first: date, last: date) -> Series:
    spans = bucket_spans(first, last, bucket)
    by_start = {bucket_start(span[0], bucket): Bucket(span[0], span[1], (span[1] - span[0]).days + 1) for span in spans}
    for kind, key, count, value, night in _bucket_rows(patient, bucket, first, last):
        target = by_start[key]
        if kind == "episode":
            target.episodes, target.night_episodes = int(count), int(night)
            target.mean_severity = None if value is None else float(value)
        elif kind == "reported":
            target.reported_days = int(count)
        elif kind == "sun":
            target.sun_minutes = int(count or 0)
        else:
            target.vitamin_d_iu = float(value or 0.0)
    regimens = vitamin_d_regimens(patient)
    in_span = [r for r in regimens if r.start_date <= last and (r.end_date is None or r.end_date >= first)]
    slots = adherence_for(regimens=in_span, first=first, last=last, today=patient.local_today())
    if in_span:
        for target in by_start.values():
            target.adherence = slots.between(target.start, target.end).pooled_vitamin_d

    labs = list(
        LabResult.objects.filter(patient=patient, collected_on__gte=first, collected_on__lte=last).order_by(
            "collected_on", "analyte"
        )
    )
    start = regimens[0].start_date if regimens else None
    return Series(bucket, first, last, list(by_start.values()), labs, start, windows.DEFAULT_LAG_DAYS, regimens)


# --- treatment response -------------------------------------------------------------------
# Whose start is tested: a group of supplements, shown by this name.
SUPPLEMENT_GROUPS: dict[str, tuple[frozenset[str], str]] = {
    "vitamin_d": (frozenset(units.VITAMIN_D_SUPPLEMENTS), "vitamin D"),
    "magnesium": (frozenset({units.MAGNESIUM}), "magnesium"),
    "calcium": (frozenset({units.CALCIUM}), "calcium"),
    "potassium": (frozenset({units.POTASSIUM}), "potassium"),
}
# Co-treatments worth naming (DOMAIN.md): these, and a change of the tested supplement's dose.
_CO_TREATMENT_SUPPLEMENTS = frozenset(units.VITAMIN_D_SUPPLEMENTS | {units.MAGNESIUM, units.CALCIUM, units.POTASSIUM})
FITS_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class LabPoint:
    collected_on: date
    value_normalised: float
    category: str


@dataclass
class TreatmentResponseResult:
    supplement: str
    treatment: str
    start: date | None
    start_source: str  # "regimen" | "given" | "none"
    windows: windows.ResponseWindows | None
    before: stats.WindowStats | None
    after: stats.WindowStats | None
    models: dict[str, regression.ModelFit]
    assessment: response.Assessment
    adherence_after: float | None = None
    vitamin_d_before: LabPoint | None = None
    vitamin_d_after: LabPoint | None = None
    lag_days: int = windows.DEFAULT_LAG_DAYS

    @property
    def verdict(self) -> str:
        return self.assessment.verdict

    @property
    def severity_change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        if self.before.mean_severity is None or self.after.mean_severity is None:
            return None
        return self.after.mean_severity - self.before.mean_severity


def regimens_of(patient: User, supplements: Collection[str]) -> list[SupplementRegimen]:
    return list(
        SupplementRegimen.objects.filter(patient=patient, supplement__in=list(supplements)).order_by(
            "start_date", "created_at"
        )
    )


def co_treatments(
    regimens: Sequence[SupplementRegimen],
    tested: SupplementRegimen | None,
    group: Collection[str],
    span: windows.ResponseWindows,
) -> list[response.CoTreatment]:
    """Starts between the before window's first day and the after window's last, other than
    the one tested: another supplement begun, or the tested supplement's dose changed. The
    protocol's own next step (maintenance beginning as a loading course ends) is the same
    treatment going on as planned, not a change to name."""
    found = []
    loading_ends = [
        r.end_date for r in regimens if r.supplement in group and r.phase == "loading" and r.end_date is not None
    ]
    for regimen in regimens:
        if tested is not None and regimen.id == tested.id:
            continue
        if (
            regimen.supplement in group
            and regimen.phase == "maintenance"
            and any(timedelta(0) < regimen.start_date - end <= timedelta(days=7) for end in loading_ends)
        ):
            continue
        if regimen.supplement not in _CO_TREATMENT_SUPPLEMENTS:
            continue
        if not span.before_start <= regimen.start_date <= span.after_last_day:
            continue
        found.append(
            response.CoTreatment(
                supplement=units.SUPPLEMENT_NAMES[regimen.supplement],
                start_date=regimen.start_date,
                description=regimen.description,
                dose_change=regimen.supplement in group,
            )
        )
    return found


def treatment_response(
    *,
    patient: User,
    today: date,
    supplement: str = "vitamin_d",
    start: date | None = None,
    before_days: int = windows.DEFAULT_BEFORE_DAYS,
    lag_days: int = windows.DEFAULT_LAG_DAYS,
    before_start: date | None = None,
    after_start: date | None = None,
    after_end: date | None = None,
    audience: response.Audience | None = None,
) -> TreatmentResponseResult:
    """Did cramps become less frequent after the start? Windows that the request got wrong
    raise windows.WindowError; a diary where it is simply too early answers not_enough_data."""
    audience = audience or response.Audience()
    group, treatment = SUPPLEMENT_GROUPS[supplement]
    all_regimens = regimens_of(patient, _CO_TREATMENT_SUPPLEMENTS | group)
    tested_regimens = [r for r in all_regimens if r.supplement in group]
    tested = tested_regimens[0] if tested_regimens else None
    source = "given" if start else "regimen"
    if start is None:
        if tested is None:
            return _no_answer(
                supplement, treatment, None, "none", response.REASON_NO_REGIMEN,
                response.no_regimen_sentence(treatment, audience), lag_days,
            )  # fmt: skip
        start = tested.start_date
    else:
        treatment = "the change"
    try:
        span = windows.response_windows(
            start,
            today,
            before_days=before_days,
            lag_days=lag_days,
            before_start=before_start,
            after_start=after_start,
            after_end=after_end,
        )
    except windows.WindowError as error:
        if error.code == "too_early" or (error.code == "start_in_future" and source == "regimen"):
            first_after = start + timedelta(days=lag_days) if start <= today else None
            sentence = response.too_early_sentence(treatment, first_after, lag_days, audience)
            return _no_answer(supplement, treatment, start, source, response.REASON_TOO_EARLY, sentence, lag_days)
        raise
    counts = window_counts(patient, span, start=start)
    models = fit_models(patient, span, counts)
    intervals = {name: response.Interval(fit.rate_ratio, fit.ci_low, fit.ci_high) for name, fit in models.items()}
    assessment = response.assess(
        before=counts.before,
        after=counts.after,
        intervals=intervals,
        co_treatments=co_treatments(all_regimens, tested if source == "regimen" else None, group, span),
        before_days=span.before_days,
        after_days=span.after_days,
        treatment=treatment,
        audience=audience,
    )
    in_after = [
        r
        for r in tested_regimens
        if r.start_date <= span.after_last_day and not (r.end_date and r.end_date < span.after_start)
    ]
    adherence_after = (
        adherence_for(regimens=in_after, first=span.after_start, last=span.after_last_day, today=today)
        .of_supplements(group)
        .tally.weighted_ratio
    )
    return TreatmentResponseResult(
        supplement, treatment, start, source, span, counts.before, counts.after, models, assessment,
        adherence_after, counts.lab_before, counts.lab_after, lag_days,
    )  # fmt: skip


def _no_answer(supplement, treatment, start, source, reason, sentence, lag_days) -> TreatmentResponseResult:
    assessment = response.Assessment(stats.VERDICT_NOT_ENOUGH_DATA, reason, sentence, [])
    return TreatmentResponseResult(
        supplement, treatment, start, source, None, None, None, {}, assessment, lag_days=lag_days
    )


_DAY_ROWS_SQL = """
WITH e AS (
    SELECT local_date, COUNT(*) AS n FROM diary_spasmepisode
    WHERE patient_id = %(patient)s AND local_date >= %(before_start)s AND local_date < %(after_end)s GROUP BY local_date
), s AS (
    SELECT local_date, SUM(minutes) AS m FROM diary_sunexposure
    WHERE patient_id = %(patient)s AND local_date >= %(before_start)s AND local_date < %(after_end)s GROUP BY local_date
)
SELECT d.local_date, COALESCE(e.n, 0), COALESCE(s.m, 0)
FROM diary_reportedday d
LEFT JOIN e ON e.local_date = d.local_date
LEFT JOIN s ON s.local_date = d.local_date
WHERE d.patient_id = %(patient)s AND d.local_date >= %(before_start)s AND d.local_date < %(after_end)s
    AND (d.local_date < %(before_end)s OR d.local_date >= %(after_start)s)
ORDER BY d.local_date
"""


def day_rows(patient: User, span: windows.ResponseWindows) -> list[regression.DayRow]:
    """One row per reported day of both windows: its episodes and its minutes of sun (0 when
    none was logged). Days that are not reported are missing, not zero: they are not here."""
    params = {
        "patient": _db_id(patient),
        "before_start": span.before_start,
        "before_end": span.before_end,
        "after_start": span.after_start,
        "after_end": span.after_end,
    }
    with connection.cursor() as cursor:
        cursor.execute(_DAY_ROWS_SQL, params)
        days = {_as_date(day): (int(episodes), float(sun)) for day, episodes, sun in cursor.fetchall()}
    return regression.rows_for_windows(
        days,
        before_start=span.before_start,
        before_end=span.before_end,
        after_start=span.after_start,
        after_end=span.after_end,
    )


def fit_models(patient: User, span: windows.ResponseWindows, counts: WindowCounts) -> dict[str, regression.ModelFit]:
    """Every model's row: the exact Poisson test on the window totals, and the negative
    binomial models on the reported days. Fits are cached by their input (the rows
    themselves), so an unchanged diary is never fitted twice and any change refits."""
    models = {"exact_poisson": exact_poisson(counts.before, counts.after)}
    rows = day_rows(patient, span)
    digest = hashlib.sha256(repr((regression.MODELS_VERSION, span.before_start, rows)).encode()).hexdigest()
    key = f"treatment-response-fits:{digest}"
    fits = cache.get(key)
    if fits is None:
        fits = regression.fit_all(rows, span.before_start)
        cache.set(key, fits, FITS_CACHE_SECONDS)
    models.update(fits)
    return models


def exact_poisson(before: stats.WindowStats, after: stats.WindowStats) -> regression.ModelFit:
    """R's poisson.test on the window totals, as one row of the models table."""
    if before.reported_days == 0 or after.reported_days == 0:
        return regression.ModelFit(
            "exact_poisson", "poisson_exact", None, None, None, None, None, False,
            before.reported_days + after.reported_days, "A window has no reported day.",
        )  # fmt: skip
    comparison = stats.compare_poisson_rates(after.episodes, after.reported_days, before.episodes, before.reported_days)
    return regression.ModelFit(
        "exact_poisson", "poisson_exact", comparison.rate_ratio, comparison.ci_low, comparison.ci_high,
        comparison.p_value, None, True, before.reported_days + after.reported_days,
        "Exact conditional test of two Poisson rates (R's poisson.test): assumes cramps do not cluster.",
    )  # fmt: skip


@dataclass(frozen=True)
class WindowCounts:
    before: stats.WindowStats
    after: stats.WindowStats
    lab_before: LabPoint | None  # the latest 25(OH)D on or before the start
    lab_after: LabPoint | None  # the latest 25(OH)D after it


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
    (SELECT COUNT(*) FROM diary_reportedday o WHERE o.patient_id = %(patient)s
        AND o.local_date >= %(before_start)s AND o.local_date < %(before_end)s),
    (SELECT COUNT(*) FROM diary_reportedday o WHERE o.patient_id = %(patient)s
        AND o.local_date >= %(after_start)s AND o.local_date < %(after_end)s),
    {labs}
FROM diary_spasmepisode e
WHERE e.patient_id = %(patient)s AND e.local_date >= %(before_start)s AND e.local_date < %(after_end)s
    AND (e.local_date < %(before_end)s OR e.local_date >= %(after_start)s)
"""


def window_counts(patient: User, span: windows.ResponseWindows, *, start: date) -> WindowCounts:
    """Everything the treatment response counts, in one SQL statement: episodes, mean
    severity, night episodes and reported days of both windows, and the 25(OH)D results
    either side of the start. Portable SQL (CASE and scalar subqueries) for PostgreSQL and
    SQLite; at about 0.7 ms a round trip, one statement beats four ORM queries."""
    params: dict[str, Any] = {
        "patient": _db_id(patient),
        "before_start": span.before_start,
        "before_end": span.before_end,
        "after_start": span.after_start,
        "after_end": span.after_end,
        "start": start,
        "analyte": units.VITAMIN_D_25OH,
    }
    labs = ",\n    ".join(
        _LAB_SQL.format(column=column, compare=compare)
        for compare in ("<=", ">")
        for column in ("l.collected_on", "l.value_normalised", "l.category")
    )
    with connection.cursor() as cursor:
        cursor.execute(_WINDOW_COUNTS_SQL.format(labs=labs), params)
        row = cursor.fetchone()
    n_before, n_after, sev_before, sev_after, night_before, night_after, days_before, days_after = row[:8]
    return WindowCounts(
        before=stats.WindowStats(int(n_before), int(days_before), _float(sev_before), int(night_before)),
        after=stats.WindowStats(int(n_after), int(days_after), _float(sev_after), int(night_after)),
        lab_before=_lab_point(row[8:11]),
        lab_after=_lab_point(row[11:14]),
    )


def _float(value) -> float | None:
    return None if value is None else float(value)


def _lab_point(values) -> LabPoint | None:
    collected_on, value, category = values
    if collected_on is None:
        return None
    return LabPoint(_as_date(collected_on), float(value), category)


# --- adherence by ISO week (/adherence) -----------------------------------------------------
@dataclass(frozen=True)
class AdherenceWeek:
    week: str  # ISO week, "2026-W07"
    week_start: date  # its Monday
    scheduled: int  # slots decided that week: taken, skipped or missed
    taken: int

    @property
    def rate(self) -> float | None:
        return round(self.taken / self.scheduled, 3) if self.scheduled else None


@dataclass(frozen=True)
class RegimenAdherence:
    regimen: SupplementRegimen
    weeks: list[AdherenceWeek]
    scheduled: int
    taken: int

    @property
    def rate(self) -> float | None:
        return round(self.taken / self.scheduled, 3) if self.scheduled else None


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def regimen_adherence_by_week(
    *, patient_ids: Collection[uuid.UUID], since: date, until: date, today: date
) -> dict[uuid.UUID, list[RegimenAdherence]]:
    """Each regimen's slots in [since, until] (the patients' own dates), by ISO week: two
    queries whatever the number of patients, regimens or weeks."""
    result: dict[uuid.UUID, list[RegimenAdherence]] = {patient_id: [] for patient_id in patient_ids}
    if not result or since > until:
        return result
    regimens, slots = adherence_report(patient_ids=list(result), first=since, last=until, today=today)
    for regimen in regimens:
        mine = slots.for_plan(regimen.id)
        weeks: dict[date, list] = {}
        for slot in mine.slots:
            weeks.setdefault(bucket_start(slot.day, "week"), []).append(slot)
        rows = []
        for monday in sorted(weeks):
            week_tally = Adherence(weeks[monday]).tally
            rows.append(AdherenceWeek(_iso_week(monday), monday, week_tally.scheduled, week_tally.taken))
        total = mine.tally
        result[regimen.patient_id].append(RegimenAdherence(regimen, rows, total.scheduled, total.taken))
    return result


# --- today's doses -------------------------------------------------------------------------
_SLOT_NAMESPACE = uuid.UUID("a4f0c1d2-8b3e-4f5a-9c6d-7e8f9a0b1c2d")


def slot_entry_id(regimen_id: uuid.UUID, day: date, kind: str) -> uuid.UUID:
    """The id a "Taken" (kind "dose") or "Skip" (kind "skip") tap gives its row, derived from
    the slot: a second tap, a retry or an offline replay names the same row."""
    return uuid.uuid5(_SLOT_NAMESPACE, f"{regimen_id}/{day.isoformat()}/{kind}")


@dataclass(frozen=True)
class TodaySlot:
    regimen: SupplementRegimen
    day: date
    status: str  # taken | skipped | missed | due
    dose_id: uuid.UUID | None
    overdue: bool

    @property
    def taken_id(self) -> uuid.UUID:
        return slot_entry_id(self.regimen.id, self.day, "dose")

    @property
    def skip_id(self) -> uuid.UUID:
        return slot_entry_id(self.regimen.id, self.day, "skip")


def todays_slots(*, patient: User, today: date) -> list[TodaySlot]:
    """Today's scheduled doses, and the ones still open from before: yesterday's not taken,
    and a weekly dose still inside its 3 days. Statuses from the one adherence definition."""
    first = today - timedelta(days=3)
    regimens, slots = adherence_report(patient_ids=[patient.id], first=first, last=today, today=today)
    by_id = {regimen.id: regimen for regimen in regimens}
    shown = []
    for slot in slots.slots:
        still_open = slot.day < today and (
            slot.status == "due" or (slot.day == today - timedelta(days=1) and slot.status == "missed")
        )
        if slot.day == today or still_open:
            shown.append(TodaySlot(by_id[slot.plan.id], slot.day, slot.status, slot.dose_id, slot.day < today))
    return sorted(shown, key=lambda s: (s.day, s.regimen.supplement, s.regimen.start_date))
