"""One definition, the same answer in every view that shows it.

A reported day (a cramp logged, or an explicit "no cramps"; DOMAIN.md) lives in
`diary.services.reported_days_refresh`; a lab's Low / Normal / High in `diary.labs`. Each
test writes one diary through the services and reads it back through every view that
shows the definition: the diary's day list, the day and week trends (the patient's and the
linked clinician's), the treatment response's windows, the dashboard, the visit report and
the exports. (Adherence has its own: tests/insights/test_adherence_views.py.)
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest

from diary.dashboard.services import summaries_refresh
from diary.exports.models import ExportJob
from diary.exports.services import export_request
from diary.reports.selectors import visit_report
from tests.known_diary import at, write

pytestmark = pytest.mark.django_db


def _days(today: date, *offsets: int) -> list[date]:
    return [today - timedelta(days=offset) for offset in offsets]


def _diary_with_reported_and_silent_days(patient) -> tuple[date, set[date]]:
    """Five reported days among days that say nothing about cramps."""
    today = patient.local_today()
    write(
        patient, "regimen", supplement="vitamin_d3", amount=Decimal("1000"), unit="IU", frequency="daily",
        weekdays=[], start_date=today - timedelta(days=40), end_date=None, phase="maintenance",
    )  # fmt: skip
    two_cramps, no_cramps, scores_only, dose_only, sun_only = _days(today, 60, 58, 57, 56, 55)
    for clock in ("03:10", "22:40"):
        write(patient, "episode", occurred_at=at(two_cramps.isoformat(), clock), muscle_group="calf", severity=6)
    write(patient, "checkin", local_date=no_cramps, no_cramps=True)
    write(patient, "checkin", local_date=scores_only, no_cramps=False, fatigue=4)
    write(
        patient, "dose", taken_at=at(dose_only.isoformat(), "08:00"), supplement="magnesium",
        amount=Decimal("300"), unit="mg", regimen_id=None,
    )  # fmt: skip
    write(patient, "sun", started_at=at(sun_only.isoformat(), "13:00"), minutes=20, skin_exposed=["face_hands"])
    cramp_after, no_cramps_after, sun_after, scores_after, said_then_cramped = _days(today, 20, 10, 9, 8, 3)
    write(patient, "episode", occurred_at=at(cramp_after.isoformat(), "02:00"), muscle_group="thigh", severity=4)
    write(patient, "checkin", local_date=no_cramps_after, no_cramps=True)
    write(patient, "sun", started_at=at(sun_after.isoformat(), "12:00"), minutes=45, skin_exposed=["arms"])
    write(patient, "checkin", local_date=scores_after, no_cramps=False, weakness=2)
    # "No cramps" in the morning, then a cramp that evening: the cramp wins, the day counts once.
    write(patient, "checkin", local_date=said_then_cramped, no_cramps=True)
    write(patient, "episode", occurred_at=at(said_then_cramped.isoformat(), "21:00"), muscle_group="foot", severity=3)
    return today, {two_cramps, no_cramps, cramp_after, no_cramps_after, said_then_cramped}


def _in(days: set[date], window: dict) -> int:
    first, last = date.fromisoformat(window["start"]), date.fromisoformat(window["end"])
    return sum(first <= day <= last for day in days)


def test_a_reported_day_is_the_same_in_every_view(patient, patient_client, clinician_client):
    today, reported = _diary_with_reported_and_silent_days(patient)
    first = today - timedelta(days=70)
    span = f"from={first.isoformat()}&to={today.isoformat()}"

    # The diary's own list of days.
    days = patient_client.get(f"/api/v1/diary/days?{span}").json()
    listed = days["results"] if isinstance(days, dict) and "results" in days else days
    assert {date.fromisoformat(d["date"]) for d in listed if d["reported"]} == reported

    # Trends by day and by week, the patient's and the clinician's: a bucket's reported days.
    for client, base in ((patient_client, "/api/v1"), (clinician_client, f"/api/v1/clinician/patients/{patient.id}")):
        by_day = client.get(f"{base}/trends/spasms?bucket=day&{span}").json()["buckets"]
        assert {date.fromisoformat(b["start"]) for b in by_day if b["reported_days"]} == reported
        # A day that says nothing about cramps has no rate, not a rate of zero.
        assert all(b["episodes_per_reported_day"] is None for b in by_day if not b["reported_days"])
        by_week = client.get(f"{base}/trends/spasms?bucket=week&{span}").json()["buckets"]
        assert sum(b["reported_days"] for b in by_week) == len(reported)

    # The treatment response's windows count the same days.
    response = patient_client.get("/api/v1/trends/treatment-response").json()
    for window in (response["before"], response["after"]):
        assert window["reported_days"] == _in(reported, window), window
        assert window["reported_share"] == pytest.approx(window["reported_days"] / window["days"])
    assert response["before"]["reported_days"] == 2 and response["after"]["reported_days"] == 3

    # The dashboard's last reported day.
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        summaries_refresh([patient.id])
        row = clinician_client.get("/api/v1/clinician/patients").json()["results"][0]
    assert row["last_reported_day"] == max(reported).isoformat()
    assert row["days_since_last_report"] == (today - max(reported)).days

    # The visit report, as data and as the page a clinician prints.
    assert visit_report(patient=patient, first=first, last=today, today=today).reported_days == len(reported)
    page = patient_client.get(f"/api/v1/reports/visit?{span}").content.decode()
    assert re.search(rf"\b{len(reported)} reported days\b", page)


def test_a_lab_reading_is_the_same_in_every_view(patient, patient_client, clinician_client):
    today = patient.local_today()
    high_d, low_calcium, normal_potassium, own_range = _days(today, 5, 6, 6, 7)
    labs = {
        "vitamin_d_25oh": write(
            patient, "lab", analyte="vitamin_d_25oh", value=Decimal("120"), unit="ng/mL", collected_on=high_d
        ),
        "calcium": write(
            patient, "lab", analyte="calcium", value=Decimal("2.0"), unit="mmol/L", collected_on=low_calcium
        ),
        "potassium": write(
            patient, "lab", analyte="potassium", value=Decimal("4.2"), unit="mmol/L", collected_on=normal_potassium
        ),
        # Low against the adult default (15-65 pg/mL), normal against the report's own range.
        "pth": write(
            patient,
            "lab",
            analyte="pth",
            value=Decimal("12"),
            unit="pg/mL",
            collected_on=own_range,
            reference_low=Decimal("10"),
            reference_high=Decimal("55"),
        ),
    }
    expected = {"vitamin_d_25oh": "high", "calcium": "low", "potassium": "normal", "pth": "normal"}

    for client, base in ((patient_client, "/api/v1"), (clinician_client, f"/api/v1/clinician/patients/{patient.id}")):
        rows = client.get(f"{base}/diary/labs").json()["results"]
        assert {r["analyte"]: r["interpretation"] for r in rows} == expected

    report = visit_report(patient=patient, first=today - timedelta(days=30), last=today, today=today)
    letter = {"low": "L", "normal": "N", "high": "H"}
    assert {row.lab.analyte: row.flag for row in report.labs} == {a: letter[v] for a, v in expected.items()}

    job = export_request(requested_by=patient, patient=patient, format=ExportJob.Format.FHIR)
    with job.file.open("rb") as f:
        bundle = json.loads(f.read())
    by_id = {str(lab.id): analyte for analyte, lab in labs.items()}
    fhir = {
        by_id[e["resource"]["id"]]: e["resource"]["interpretation"][0]["coding"][0]["code"]
        for e in bundle["entry"]
        if e["resource"]["id"] in by_id
    }
    assert fhir == {a: letter[v] for a, v in expected.items()}

    # The dashboard flags the high 25(OH)D and the low calcium, on their dates; not the others.
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        summaries_refresh([patient.id])
        row = clinician_client.get("/api/v1/clinician/patients").json()["results"][0]
    flags = {f["code"]: f["date"] for f in row["flags"]}
    assert flags["vitamin_d_above_100"] == high_d.isoformat()
    assert flags["low_calcium"] == low_calcium.isoformat()
    assert not {"low_phosphate", "secondary_hyperparathyroidism_pattern"} & set(flags)
