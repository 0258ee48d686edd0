"""Dose safety at each edge (just below, at, just above), in IU and µg, single and rolling:
the warning is in the answer at the moment of saving, and the flag is on the dashboard."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest

from diary.dashboard.services import summaries_refresh
from diary.models import SupplementDose
from tests.conftest import assert_error
from tests.diary_payloads import payload

pytestmark = pytest.mark.django_db


def at(patient, day: date, hour: int = 9) -> str:
    return datetime.combine(day, time(hour), tzinfo=patient.zone).isoformat()


def dose(client, patient, day: date, amount: str, unit: str = "IU", supplement: str = "vitamin_d3", **extra):
    body = payload("dose", taken_at=at(patient, day), amount=amount, unit=unit, supplement=supplement, **extra)
    return client.post("/api/v1/diary/doses", body, format="json")


def codes(response) -> list[str]:
    assert response.status_code == 201, response.content
    return [w["code"] for w in response.json()["warnings"]]


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        ("99999", "IU", []),
        ("100000", "IU", []),  # at the line: not above it
        ("100001", "IU", ["high_single_dose"]),
        ("2500", "ug", []),  # 100,000 IU
        ("2500.025", "ug", ["high_single_dose"]),  # 100,001 IU
    ],
)
def test_a_single_vitamin_d_dose_above_100000_iu_is_stored_with_a_warning(
    patient, patient_client, amount, unit, expected
):
    response = dose(patient_client, patient, patient.local_today(), amount, unit)
    single = [code for code in codes(response) if code == "high_single_dose"]
    assert single == expected
    if expected:
        assert "100,000 IU" in response.json()["warnings"][0]["message"]


def test_one_dose_above_70000_iu_without_a_loading_course_is_also_a_high_week(patient, patient_client):
    # 80,000 IU in one dose is below the single-dose line but alone above the 7-day line.
    assert codes(dose(patient_client, patient, patient.local_today(), "80000")) == ["high_weekly_total"]


@pytest.mark.parametrize(
    ("amount", "unit", "refused"),
    [
        ("600000", "IU", False),
        ("600001", "IU", True),
        ("15000", "ug", False),
        ("15000.025", "ug", True),
        ("15", "mg", False),
    ],
)
def test_a_single_vitamin_d_dose_above_600000_iu_is_refused(patient, patient_client, amount, unit, refused):
    response = dose(patient_client, patient, patient.local_today(), amount, unit)
    if refused:
        error = assert_error(response, 400, "invalid", ["amount"])
        assert "600,000 IU" in error["fields"]["amount"][0]
        assert not SupplementDose.objects.exists()
    else:
        assert "high_single_dose" in codes(response)


@pytest.mark.parametrize(("last_amount", "warned"), [("9999", False), ("10000", False), ("10001", True)])
def test_a_rolling_7_day_total_above_70000_iu_warns(patient, patient_client, last_amount, warned):
    today = patient.local_today()
    for offset in range(6, 0, -1):  # 6 x 10,000 IU on the six days before
        assert codes(dose(patient_client, patient, today - timedelta(days=offset), "10000")) == []
    response = dose(patient_client, patient, today, last_amount)
    assert codes(response) == (["high_weekly_total"] if warned else [])


def test_the_rolling_total_in_micrograms(patient, patient_client):
    today = patient.local_today()
    for offset in range(6, 0, -1):
        dose(patient_client, patient, today - timedelta(days=offset), "250", "ug")  # 10,000 IU
    assert codes(dose(patient_client, patient, today, "250.025", "ug")) == ["high_weekly_total"]


def test_a_prescribed_loading_course_explains_its_weekly_total(patient, patient_client):
    today = patient.local_today()
    regimen = {
        **payload("regimen", amount="100000", unit="IU", frequency="weekly", phase="loading"),
        "start_date": (today - timedelta(days=20)).isoformat(),
    }
    created = patient_client.post("/api/v1/diary/regimens", regimen, format="json")
    assert [w["code"] for w in created.json()["warnings"]] == []  # 100,000 is at the line, not above
    loading = created.json()["id"]
    assert "high_weekly_total" not in codes(dose(patient_client, patient, today, "100000", regimen_id=loading))
    # Without a loading course, the same week warns.
    other = dose(patient_client, patient, today - timedelta(days=40), "80000")
    assert codes(other) == ["high_weekly_total"]


@pytest.mark.parametrize(
    ("supplement", "amount", "warned"),
    [
        ("magnesium", "350", False),
        ("magnesium", "351", True),
        ("potassium", "1000", False),
        ("potassium", "1001", True),
    ],
)
def test_minerals_above_their_daily_limit_warn(patient, patient_client, supplement, amount, warned):
    response = dose(patient_client, patient, patient.local_today(), amount, "mg", supplement)
    assert codes(response) == (["above_daily_limit"] if warned else [])


def test_calcium_limit_follows_the_age(patient, patient_client):
    today = patient.local_today()
    patient.date_of_birth = date(today.year - 40, 1, 1)
    patient.save()
    assert codes(dose(patient_client, patient, today, "2500", "mg", "calcium")) == []
    patient.date_of_birth = date(today.year - 60, 1, 1)
    patient.save()
    assert codes(dose(patient_client, patient, today - timedelta(days=1), "2001", "mg", "calcium")) == [
        "above_daily_limit"
    ]


def test_the_warnings_come_back_from_sync_too(patient, patient_client):
    body = payload("dose", taken_at=at(patient, patient.local_today()), amount="200000", unit="IU")
    item = {"kind": "dose", "id": body.pop("id"), "payload": body}
    result = patient_client.post("/api/v1/diary/sync", {"items": [item]}, format="json").json()["results"][0]
    assert [w["code"] for w in result["warnings"]] == ["high_single_dose", "high_weekly_total"]


def test_the_warning_becomes_a_dashboard_flag_with_its_date(patient, patient_client, clinician_client):
    day = patient.local_today() - timedelta(days=2)
    dose(patient_client, patient, day, "200000")
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        summaries_refresh([patient.id])
        row = clinician_client.get("/api/v1/clinician/patients").json()["results"][0]
    flag = next(f for f in row["flags"] if f["code"] == "high_single_dose")
    assert flag["date"] == day.isoformat()
    assert "200,000 IU" in flag["text"]
    only = clinician_client.get("/api/v1/clinician/patients?flag=high_single_dose").json()["results"]
    assert [r["patient"]["id"] for r in only] == [str(patient.id)]
    assert clinician_client.get("/api/v1/clinician/patients?flag=low_calcium").json()["results"] == []
