"""Reads for diary rows. Every selector takes the patient whose rows the viewer may see;
`accounts.scoping` decides who that is."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet

from accounts.models import User
from config.api.exceptions import NotFound
from diary import dose_safety, units
from diary.kinds import Kind
from diary.models import DailyCheckin, DiaryEntry, SpasmEpisode, SupplementDose, SupplementRegimen


def entry_list(*, kind: Kind, patient: User) -> QuerySet[DiaryEntry]:
    return kind.model.objects.filter(patient=patient).order_by(*kind.ordering)


def entry_get(*, kind: Kind, patient: User, entry_id: uuid.UUID) -> DiaryEntry:
    try:
        return kind.model.objects.get(patient=patient, id=entry_id)
    except kind.model.DoesNotExist:
        raise NotFound() from None


@dataclass(frozen=True)
class DayReport:
    """What one local date says about cramps: reported when it holds an episode or an
    explicit "no cramps" (`diary.services.reported_days_refresh` keeps the same rule)."""

    day: date
    episodes: int
    no_cramps: bool

    @property
    def reported(self) -> bool:
        return self.episodes > 0 or self.no_cramps


def day_reports(*, patient: User, first: date, last: date) -> list[DayReport]:
    """Every date in [first, last], newest first, with what it says about cramps."""
    episodes = dict(
        SpasmEpisode.objects.filter(patient=patient, local_date__gte=first, local_date__lte=last)
        .values("local_date")
        .annotate(n=Count("id"))
        .values_list("local_date", "n")
    )
    statements = set(
        DailyCheckin.objects.filter(
            patient=patient, local_date__gte=first, local_date__lte=last, no_cramps=True
        ).values_list("local_date", flat=True)
    )
    days = []
    day = last
    while day >= first:
        days.append(DayReport(day, episodes.get(day, 0), day in statements))
        day -= timedelta(days=1)
    return days


# --- dose safety -------------------------------------------------------------------------------
def dose_limits() -> dose_safety.Limits:
    return dose_safety.Limits.from_settings(getattr(settings, "DOSE_SAFETY", None))


def _age_on(patient: User, day: date) -> int | None:
    born = patient.date_of_birth
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def dose_alerts(
    patient: User, first: date, last: date, *, days: Collection[date] | None = None
) -> list[dose_safety.Alert]:
    """Every dose-safety alert for doses dated in [first, last] (or on `days`): single doses,
    rolling 7-day vitamin D totals, daily mineral totals. Two queries."""
    window = (first - timedelta(days=6), last + timedelta(days=6))
    limits = dose_limits()
    rows = (
        SupplementDose.objects.filter(patient=patient, local_date__gte=window[0], local_date__lte=window[1])
        .values_list("local_date", "supplement", "amount_normalised")
        .order_by()
    )
    vitamin_d: dict[date, float] = {}
    minerals: dict[tuple[str, date], float] = {}
    alerts: list[dose_safety.Alert] = []
    wanted = set(days) if days is not None else None
    in_range: set[date] = set()
    for day, supplement, amount in rows:
        inside = first <= day <= last and (wanted is None or day in wanted)
        if supplement in units.VITAMIN_D_SUPPLEMENTS:
            vitamin_d[day] = vitamin_d.get(day, 0.0) + amount
            if inside:
                in_range.add(day)
                alerts += dose_safety.single_dose_alerts(supplement, amount, day, limits)
        else:
            minerals[(supplement, day)] = minerals.get((supplement, day), 0.0) + amount
    mineral_days = {key for key in minerals if first <= key[1] <= last and (wanted is None or key[1] in wanted)}
    alerts += dose_safety.daily_mineral_alerts(minerals, mineral_days, _age_on(patient, last), limits)
    if any(total > limits.vitamin_d_weekly_warn_iu for total in _weekly_sums(vitamin_d)):
        prescriptions = [
            dose_safety.Prescription(
                r.supplement,
                r.amount_normalised,
                units.daily_equivalent(r.amount_normalised, r.frequency, r.weekdays) * 7,
                r.start_date,
                r.end_date,
                r.phase == SupplementRegimen.Phase.LOADING,
            )
            for r in SupplementRegimen.objects.filter(
                patient=patient, supplement__in=units.VITAMIN_D_SUPPLEMENTS, start_date__lte=window[1]
            ).exclude(end_date__lt=window[0])
        ]
        alerts += dose_safety.weekly_vitamin_d_alerts(vitamin_d, prescriptions, in_range, limits)
    return alerts


def _weekly_sums(daily: Mapping[date, float]) -> list[float]:
    return [sum(daily.get(day - timedelta(days=k), 0.0) for k in range(7)) for day in daily] + [
        sum(daily.get(day + timedelta(days=k), 0.0) for k in range(7)) for day in daily
    ]
