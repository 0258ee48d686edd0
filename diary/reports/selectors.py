"""Reads behind the one-page visit report: everything it shows for one patient and one
date range (the patient's local dates, inclusive), in a fixed number of queries. The
treatment response, the weekly series and adherence come from `diary.insights.selectors`,
the one place they are computed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, Q

from accounts.models import User
from diary import labs
from diary.insights import selectors as insights
from diary.insights.windows import WindowError
from diary.models import DailyCheckin, LabResult, SpasmEpisode

SCORES = ("weakness", "fatigue", "bone_pain", "twitching")


@dataclass(frozen=True)
class LabRow:
    lab: LabResult
    interval: labs.Interval  # the report's own range when given, else the adult default
    flag: str  # L, N or H, as the printed report reads


@dataclass(frozen=True)
class MuscleRow:
    muscle_group: str
    episodes: int
    share: float


@dataclass
class VisitReport:
    patient: User
    first: date
    last: date
    today: date
    series: insights.Series
    response: insights.TreatmentResponseResult | None
    response_error: str | None
    adherence: list[insights.RegimenAdherence]
    labs: list[LabRow]
    episodes: int
    night_episodes: int
    muscles: list[MuscleRow]
    scores: dict[str, float | None]
    checkins: int
    reported_days: int = field(default=0)

    @property
    def night_share(self) -> float | None:
        return None if not self.episodes else self.night_episodes / self.episodes


def visit_report(*, patient: User, first: date, last: date, today: date) -> VisitReport:
    series = insights.spasm_series(patient=patient, bucket="week", first=first, last=last)
    # The verdict as of the range's last day (today when the range ends today).
    as_of = min(last, today)
    try:
        response, response_error = insights.treatment_response(patient=patient, today=as_of), None
    except WindowError as exc:
        response, response_error = None, exc.message
    adherence = insights.regimen_adherence_by_week(patient_ids=[patient.id], since=first, until=last, today=today)[
        patient.id
    ]
    labs = [
        LabRow(lab, lab.reading.interval, {"low": "L", "normal": "N", "high": "H"}[lab.reading.interpretation])
        for lab in series.labs
    ]
    in_range = SpasmEpisode.objects.filter(patient=patient, local_date__gte=first, local_date__lte=last)
    totals = in_range.aggregate(episodes=Count("id"), night=Count("id", filter=Q(night=True)))
    by_muscle = in_range.values("muscle_group").annotate(n=Count("id")).order_by("-n", "muscle_group")
    muscles = [MuscleRow(row["muscle_group"], row["n"], row["n"] / totals["episodes"]) for row in by_muscle if row["n"]]
    checkins = DailyCheckin.objects.filter(patient=patient, local_date__gte=first, local_date__lte=last)
    scores = checkins.aggregate(n=Count("id"), **{name: Avg(name) for name in SCORES})
    return VisitReport(
        patient=patient,
        first=first,
        last=last,
        today=today,
        series=series,
        response=response,
        response_error=response_error,
        adherence=adherence,
        labs=labs,
        episodes=totals["episodes"],
        night_episodes=totals["night"],
        muscles=muscles,
        scores={name: scores[name] for name in SCORES},
        checkins=scores["n"],
        reported_days=sum(bucket.reported_days for bucket in series.buckets),
    )
