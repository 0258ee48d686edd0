"""Reads for reminders, each scoped to the patient whose rows the viewer may see
(`accounts.scoping` decides who that is), and adherence for one patient or many."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.http import Http404

from accounts.models import User
from diary.adherence import Schedule, adherence
from diary.models import SupplementDose, SupplementRegimen
from diary.reminders.models import Delivery, PushSubscription, Reminder


def reminder_list(*, patient: User) -> QuerySet[Reminder]:
    return Reminder.objects.filter(patient=patient).select_related("regimen")


def reminder_get(*, patient: User, reminder_id: int) -> Reminder:
    try:
        return reminder_list(patient=patient).get(id=reminder_id)
    except Reminder.DoesNotExist:
        raise Http404 from None


def delivery_list(*, patient: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(reminder__patient=patient)


def delivery_get(*, patient: User, delivery_id: int) -> Delivery:
    try:
        return delivery_list(patient=patient).get(id=delivery_id)
    except Delivery.DoesNotExist:
        raise Http404 from None


def push_subscription_list(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user)


def push_subscription_get(*, user: User, subscription_id: int) -> PushSubscription:
    try:
        return push_subscription_list(user=user).get(id=subscription_id)
    except PushSubscription.DoesNotExist:
        raise Http404 from None


# --- adherence ----------------------------------------------------------------------------
@dataclass(frozen=True)
class AdherenceWeek:
    week: str  # ISO week, "2026-W07"
    week_start: date  # its Monday
    scheduled: int  # doses the regimen asked for on the week's days inside the range
    taken: int  # doses logged against the regimen that week, capped at `scheduled`

    @property
    def rate(self) -> float | None:
        return round(self.taken / self.scheduled, 3) if self.scheduled else None


@dataclass(frozen=True)
class RegimenAdherence:
    patient_id: uuid.UUID
    regimen_id: uuid.UUID
    supplement: str
    amount: Decimal
    unit: str
    frequency: str
    weekdays: list[int]
    start_date: date
    end_date: date | None
    weeks: list[AdherenceWeek]

    @property
    def scheduled(self) -> int:
        return sum(week.scheduled for week in self.weeks)

    @property
    def taken(self) -> int:
        return sum(week.taken for week in self.weeks)

    @property
    def rate(self) -> float | None:
        return round(self.taken / self.scheduled, 3) if self.scheduled else None


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def regimen_adherence_by_week(
    *, patient_ids: Collection[uuid.UUID], since: date, until: date
) -> dict[uuid.UUID, list[RegimenAdherence]]:
    """Doses scheduled against doses taken, per regimen and ISO week, for many patients.

    Two queries whatever the number of patients, regimens or weeks: the regimens, and the
    doses counted per regimen and week in SQL. `since` and `until` are the patients' own
    dates, inclusive. "Scheduled" comes from the regimen (frequency, weekdays, start and end
    dates), so a patient without reminders is measured too; "taken" counts doses logged
    against the regimen (by "Taken" on a reminder or by hand). Both follow `diary.adherence`,
    as the trends and the dashboard do, so the numbers agree everywhere.
    """
    result: dict[uuid.UUID, list[RegimenAdherence]] = {patient_id: [] for patient_id in patient_ids}
    if not result or since > until:
        return result
    regimens = list(
        SupplementRegimen.objects.filter(patient_id__in=list(result), start_date__lte=until)
        .exclude(end_date__lt=since)
        .order_by("patient_id", "start_date", "id")
    )
    taken: dict[tuple[uuid.UUID, date], int] = {
        (row["regimen_id"], row["week"]): row["n"]
        for row in SupplementDose.objects.filter(
            patient_id__in=list(result), regimen__isnull=False, local_date__gte=since, local_date__lte=until
        )
        .annotate(week=TruncWeek("local_date"))
        .values("regimen_id", "week")
        .annotate(n=Count("id"))
        .order_by()
    }
    mondays = []
    monday = since - timedelta(days=since.weekday())
    while monday <= until:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    for regimen in regimens:
        plan = Schedule(regimen.frequency, regimen.weekdays, regimen.start_date, regimen.end_date)
        weeks = []
        for monday in mondays:
            doses = taken.get((regimen.id, monday), 0)
            week = adherence([(plan, doses)], max(monday, since), min(monday + timedelta(days=6), until))
            if week.scheduled or doses:
                weeks.append(AdherenceWeek(_iso_week(monday), monday, week.scheduled, week.taken))
        result[regimen.patient_id].append(
            RegimenAdherence(
                patient_id=regimen.patient_id,
                regimen_id=regimen.id,
                supplement=regimen.supplement,
                amount=regimen.amount,
                unit=regimen.unit,
                frequency=regimen.frequency,
                weekdays=list(regimen.weekdays),
                start_date=regimen.start_date,
                end_date=regimen.end_date,
                weeks=weeks,
            )
        )
    return result
