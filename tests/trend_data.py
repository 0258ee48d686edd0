"""Building diary rows for trend tests straight into the tables, with local dates as the
services would compute them (the services themselves are tested elsewhere)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from accounts.models import User
from diary.kinds import is_night
from diary.models import DailyCheckin, LabResult, SpasmEpisode, SunExposure, SupplementDose, SupplementRegimen
from diary.services import reported_days_refresh
from diary.units import normalise_dose


def at(patient: User, day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=patient.zone)


def episode(patient: User, day: date, *, hour: int = 12, severity: int = 5, during_sleep: bool = False) -> SpasmEpisode:
    occurred = at(patient, day, hour)
    return SpasmEpisode(
        id=uuid.uuid4(), patient=patient, local_date=day, time_zone=patient.time_zone, recorded_at=occurred,
        occurred_at=occurred, muscle_group="calf", severity=severity, during_sleep=during_sleep,
        night=is_night(occurred, patient.time_zone, during_sleep=during_sleep),
    )  # fmt: skip


def checkin(patient: User, day: date, *, no_cramps: bool = True) -> DailyCheckin:
    return DailyCheckin(
        id=uuid.uuid4(),
        patient=patient,
        local_date=day,
        time_zone=patient.time_zone,
        recorded_at=at(patient, day),
        no_cramps=no_cramps,
    )


def sun(patient: User, day: date, minutes: int) -> SunExposure:
    started = at(patient, day, 13)
    return SunExposure(
        id=uuid.uuid4(),
        patient=patient,
        local_date=day,
        time_zone=patient.time_zone,
        recorded_at=started,
        started_at=started,
        minutes=minutes,
        skin_exposed=["face_hands"],
    )


def regimen(
    patient: User,
    start: date,
    *,
    amount: int = 1000,
    frequency: str = "daily",
    weekdays=(),
    end: date | None = None,
    supplement: str = "vitamin_d3",
    phase: str = "maintenance",
) -> SupplementRegimen:
    unit = "IU" if supplement.startswith("vitamin_d") else "mg"
    return SupplementRegimen.objects.create(
        patient=patient, local_date=start, time_zone=patient.time_zone, recorded_at=at(patient, start), supplement=supplement,
        amount=amount, unit=unit, amount_normalised=normalise_dose(supplement, amount, unit), normalised_unit=unit,
        frequency=frequency, weekdays=list(weekdays), start_date=start, end_date=end, phase=phase,
    )  # fmt: skip


def dose(
    patient: User,
    day: date,
    *,
    amount: int = 1000,
    plan: SupplementRegimen | None = None,
    supplement: str = "vitamin_d3",
) -> SupplementDose:
    unit = "IU" if supplement.startswith("vitamin_d") else "mg"
    taken = at(patient, day, 8)
    return SupplementDose(
        id=uuid.uuid4(), patient=patient, local_date=day, time_zone=patient.time_zone, recorded_at=taken, taken_at=taken,
        supplement=supplement, amount=amount, unit=unit, amount_normalised=normalise_dose(supplement, amount, unit), normalised_unit=unit, regimen=plan,
    )  # fmt: skip


def lab_25ohd(patient: User, day: date, ng_ml: float, category: str) -> LabResult:
    return LabResult.objects.create(
        patient=patient, local_date=day, time_zone=patient.time_zone, recorded_at=at(patient, day), analyte="vitamin_d_25oh",
        value=ng_ml, unit="ng/mL", value_normalised=ng_ml, normalised_unit="ng/mL", category=category, collected_on=day,
    )  # fmt: skip


def save(*rows) -> None:
    """Insert rows the way the entry services would, reported days included (by the one
    definition: `diary.services.reported_days_refresh`)."""
    by_model: dict[type, list] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, items in by_model.items():
        model.objects.bulk_create(items)
    days: dict = {}
    for row in rows:
        if isinstance(row, (SpasmEpisode, DailyCheckin)):
            days.setdefault(row.patient_id, set()).add(row.local_date)
    for patient_id, dates in days.items():
        reported_days_refresh(patient_id, dates)
