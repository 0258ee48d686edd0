"""Adherence that weighs what was prescribed, today's doses, and Skip."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from unittest import mock

import pytest

from diary.dashboard.services import summaries_refresh
from diary.models import DoseSkip, SupplementDose
from tests.conftest import assert_error, client_for, link, make_user
from tests.diary_payloads import payload

pytestmark = pytest.mark.django_db


def regimen(client, start, **fields) -> dict:
    body = {**payload("regimen", **fields), "start_date": start.isoformat()}
    response = client.post("/api/v1/diary/regimens", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def take(client, person, day, plan: dict, **fields):
    when = datetime.combine(day, time(9), tzinfo=person.zone).isoformat()
    body = payload("dose", taken_at=when, supplement=plan["supplement"], amount=plan["amount"], unit=plan["unit"])
    body.update(regimen_id=plan["id"], **fields)
    response = client.post("/api/v1/diary/doses", body, format="json")
    assert response.status_code == 201, response.content


def loading_and_daily(person, take_loading: bool):
    """Issue 11's two patients over the last 28 days: four weekly 50,000 IU loading doses and a
    daily 1,000 IU pill. One takes every loading dose and no pill, the other the reverse."""
    client = client_for(person)
    today = person.local_today()
    first = today - timedelta(days=27)
    loading = regimen(client, first, amount="50000", frequency="weekly", phase="loading")
    daily = regimen(client, first, amount="1000")
    if take_loading:
        for week in range(4):
            take(client, person, first + timedelta(weeks=week), loading)
    else:
        for day in range(28):
            take(client, person, first + timedelta(days=day), daily)
    return loading, daily


def test_the_wrong_patient_is_no_longer_flagged(clinician, clinician_client):
    took = make_user("took@example.com", name="Tess")
    skipped = make_user("skipped@example.com", name="Sam")
    for person in (took, skipped):
        link(person, clinician)
    took_loading, _ = loading_and_daily(took, True)
    skipped_loading, _ = loading_and_daily(skipped, False)
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        summaries_refresh([took.id, skipped.id])
        rows = {r["patient"]["email"]: r for r in clinician_client.get("/api/v1/clinician/patients").json()["results"]}

    took_row, skipped_row = rows["took@example.com"], rows["skipped@example.com"]
    # 200,000 of 228,000 IU against 28,000 of 228,000 IU (today's pill, taken, counts for the second).
    assert took_row["adherence_28_days"] == pytest.approx(200_000 / 227_000, abs=0.01)  # today's pill still due
    assert skipped_row["adherence_28_days"] == pytest.approx(28_000 / 228_000, abs=0.01)
    low = lambda row: {f["regimen_id"]: f["text"] for f in row["flags"] if f["code"] == "low_adherence"}  # noqa: E731
    assert took_loading["id"] not in low(took_row)
    assert skipped_loading["id"] in low(skipped_row)
    assert low(skipped_row)[skipped_loading["id"]].startswith("vitamin D3 50,000 IU weekly (loading): 0 of 4")


def test_todays_doses_lists_todays_slots_and_yesterdays_open_ones(patient, patient_client):
    today = patient.local_today()
    daily = regimen(patient_client, today - timedelta(days=5), amount="1000")
    body = patient_client.get("/api/v1/doses/today").json()
    assert [(s["date"], s["status"], s["overdue"]) for s in body] == [
        ((today - timedelta(days=1)).isoformat(), "missed", True),
        (today.isoformat(), "due", False),
    ]
    slot = body[1]
    assert slot["regimen"]["id"] == daily["id"]
    # Taken, one tap: a dose with the slot's id. Twice is once.
    dose = {**payload("dose", amount="1000", unit="IU"), "id": slot["taken_id"], "regimen_id": daily["id"]}
    assert patient_client.post("/api/v1/diary/doses", dose, format="json").status_code == 201
    assert patient_client.post("/api/v1/diary/doses", dose, format="json").status_code == 200
    assert SupplementDose.objects.count() == 1
    # Skip yesterday's, one tap, with its id; the slot says skipped and leaves the list.
    yesterday = body[0]
    skip = {"id": yesterday["skip_id"], "regimen_id": daily["id"], "local_date": yesterday["date"], "reason": "ran_out"}
    assert patient_client.post("/api/v1/diary/skips", skip, format="json").status_code == 201
    assert patient_client.post("/api/v1/diary/skips", skip, format="json").status_code == 200
    after = patient_client.get("/api/v1/doses/today").json()
    assert [(s["date"], s["status"]) for s in after] == [(today.isoformat(), "taken")]
    adherence = patient_client.get(
        f"/api/v1/adherence?since={(today - timedelta(days=1)).isoformat()}&until={today.isoformat()}"
    ).json()
    week_rows = adherence["regimens"][0]["weeks"]
    assert sum(w["scheduled"] for w in week_rows) == 2  # yesterday (skipped) and today (taken)
    assert sum(w["taken"] for w in week_rows) == 1


def test_a_weekly_dose_stays_open_for_three_days(patient, patient_client):
    today = patient.local_today()
    regimen(patient_client, today - timedelta(days=2), amount="50000", frequency="weekly", phase="loading")
    body = patient_client.get("/api/v1/doses/today").json()
    assert [(s["date"], s["status"], s["overdue"]) for s in body] == [
        ((today - timedelta(days=2)).isoformat(), "due", True)
    ]


def test_a_skip_is_only_for_a_scheduled_dose_of_ones_own_regimen(patient, patient_client, stranger):
    today = patient.local_today()
    weekly = regimen(patient_client, today - timedelta(days=14), frequency="weekly", amount="50000")
    off_day = today - timedelta(days=13)  # the day after a weekly slot
    body = {"regimen_id": weekly["id"], "local_date": off_day.isoformat()}
    assert_error(patient_client.post("/api/v1/diary/skips", body, format="json"), 400, "invalid", ["local_date"])
    theirs = regimen(client_for(stranger), today - timedelta(days=3))
    body = {"regimen_id": theirs["id"], "local_date": today.isoformat()}
    assert_error(patient_client.post("/api/v1/diary/skips", body, format="json"), 400, "invalid", ["regimen_id"])
    assert not DoseSkip.objects.exists()


def test_todays_doses_is_the_patients_own(anon_client, clinician_client, stranger_client):
    assert anon_client.get("/api/v1/doses/today").status_code in (401, 403)
    assert_error(clinician_client.get("/api/v1/doses/today"), 403)
    assert stranger_client.get("/api/v1/doses/today").json() == []
