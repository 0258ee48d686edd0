"""A small diary with one of everything, written through the services (so every derived
column is what the app stores), for the export, import and report tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from diary import services
from diary.kinds import KINDS

LONDON = ZoneInfo("Europe/London")


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=LONDON)


def write(patient, kind: str, **values):
    values.setdefault("notes", "")
    return services.entry_create(kind=KINDS[kind], patient=patient, values=values).instance


def known_diary(patient) -> dict:
    loading = write(
        patient,
        "regimen",
        supplement="vitamin_d3",
        amount=Decimal("50000"),
        unit="IU",
        frequency="weekly",
        weekdays=[1],
        start_date=date(2025, 3, 3),
        end_date=date(2025, 4, 27),
        phase="loading",
        notes="prescribed by Dr Bob",
    )
    maintenance = write(
        patient,
        "regimen",
        supplement="vitamin_d3",
        amount=Decimal("25"),
        unit="ug",
        frequency="daily",
        weekdays=[],
        start_date=date(2025, 4, 28),
        end_date=None,
        phase="maintenance",
    )
    episodes = [
        write(
            patient,
            "episode",
            occurred_at=at("2025-02-10", "03:40"),
            muscle_group="calf",
            side="left",
            severity=7,
            duration_seconds=120,
            during_sleep=True,
            woke_patient=True,
            trigger="night",
            notes="réveillée la nuit",
        ),
        write(
            patient,
            "episode",
            occurred_at=at("2025-02-12", "18:05"),
            muscle_group="back",
            side="n/a",
            severity=4,
            duration_seconds=None,
            during_sleep=False,
            woke_patient=False,
            trigger="exercise",
        ),
        write(
            patient,
            "episode",
            occurred_at=at("2025-05-01", "02:10"),
            muscle_group="thigh",
            side="both",
            severity=5,
            duration_seconds=45,
            during_sleep=False,
            woke_patient=True,
            trigger="unknown",
        ),
    ]
    checkins = [
        write(patient, "checkin", local_date=date(2025, 2, 11), no_cramps=True, fatigue=4, weakness=2),
        # An episode stands on this date, so it cannot say "no cramps" (DOMAIN.md; the service refuses it).
        write(patient, "checkin", local_date=date(2025, 2, 12), no_cramps=False, bone_pain=1),
        write(patient, "checkin", local_date=date(2025, 5, 2), no_cramps=False, fatigue=2, twitching=3),
    ]
    sun = [
        write(
            patient,
            "sun",
            started_at=at("2025-05-03", "12:30"),
            minutes=30,
            skin_exposed=["arms", "face_hands"],
            sunscreen=False,
            uv_index=Decimal("5.5"),
        )
    ]
    doses = [
        write(
            patient,
            "dose",
            taken_at=at("2025-03-03", "08:00"),
            supplement="vitamin_d3",
            amount=Decimal("50000"),
            unit="IU",
            regimen_id=loading.id,
        ),
        write(
            patient,
            "dose",
            taken_at=at("2025-05-01", "21:00"),
            supplement="magnesium",
            amount=Decimal("300"),
            unit="mg",
            regimen_id=None,
        ),
    ]
    skips = [
        write(patient, "skip", regimen_id=maintenance.id, local_date=date(2025, 5, 4), reason="forgot"),
    ]
    labs = [
        write(
            patient, "lab", analyte="vitamin_d_25oh", value=Decimal("14"), unit="ng/mL", collected_on=date(2025, 2, 1)
        ),
        write(patient, "lab", analyte="calcium", value=Decimal("2.1"), unit="mmol/L", collected_on=date(2025, 2, 1)),
        write(patient, "lab", analyte="pth", value=Decimal("80"), unit="pg/mL", collected_on=date(2025, 2, 1)),
        write(patient, "lab", analyte="phosphate", value=Decimal("3.0"), unit="mg/dL", collected_on=date(2025, 2, 1)),
        write(patient, "lab", analyte="magnesium", value=Decimal("0.8"), unit="mmol/L", collected_on=date(2025, 2, 1)),
        write(patient, "lab", analyte="potassium", value=Decimal("4.2"), unit="mmol/L", collected_on=date(2025, 2, 1)),
        write(
            patient, "lab", analyte="vitamin_d_25oh", value=Decimal("90"), unit="nmol/L", collected_on=date(2025, 6, 2)
        ),
    ]
    return {
        "regimens": [loading, maintenance],
        "episodes": episodes,
        "checkins": checkins,
        "sun": sun,
        "doses": doses,
        "skips": skips,
        "labs": labs,
    }
