"""Creating, retrying, updating and validating diary rows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from diary.models import DailyCheckin, LabResult, SpasmEpisode, SunExposure, SupplementDose, SupplementRegimen
from tests.conftest import assert_error, client_for, make_user
from tests.diary_payloads import KIND_PLURALS, payload

pytestmark = pytest.mark.django_db
MODELS = {
    "episode": SpasmEpisode,
    "checkin": DailyCheckin,
    "sun": SunExposure,
    "regimen": SupplementRegimen,
    "dose": SupplementDose,
    "lab": LabResult,
}


@pytest.mark.parametrize("kind", list(MODELS))
def test_the_same_post_three_times_makes_one_row(patient_client, kind):
    body = payload(kind)
    statuses = [
        patient_client.post(f"/api/v1/diary/{KIND_PLURALS[kind]}", body, format="json").status_code for _ in range(3)
    ]
    assert statuses == [201, 200, 200]
    assert MODELS[kind].objects.count() == 1


@pytest.mark.parametrize("kind", list(MODELS))
def test_a_post_with_a_known_id_and_other_content_is_a_conflict(patient_client, kind):
    body = payload(kind)
    url = f"/api/v1/diary/{KIND_PLURALS[kind]}"
    patient_client.post(url, body, format="json")
    error = assert_error(patient_client.post(url, {**body, "notes": "changed"}, format="json"), 409, "conflict")
    assert error["current"]["id"] == body["id"]
    assert error["current"]["notes"] == ""
    assert MODELS[kind].objects.get().notes == ""


def test_an_id_held_by_another_patient_never_leaks_or_is_overwritten(patient_client, stranger_client, stranger):
    body = payload("episode")
    patient_client.post("/api/v1/diary/episodes", body, format="json")
    error = assert_error(stranger_client.post("/api/v1/diary/episodes", body, format="json"), 409, "id_taken")
    assert "current" not in error
    error = assert_error(
        stranger_client.put(f"/api/v1/diary/episodes/{body['id']}", {**body, "severity": 1}, format="json"),
        409,
        "id_taken",
    )
    assert "current" not in error
    row = SpasmEpisode.objects.get()
    assert (row.patient.email, row.severity) == ("alice@example.com", 6)


def test_put_to_a_new_id_creates_then_replaces(patient_client):
    entry_id = str(uuid.uuid4())
    body = payload("episode")
    del body["id"]
    response = patient_client.put(f"/api/v1/diary/episodes/{entry_id}", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["id"] == entry_id
    response = patient_client.put(f"/api/v1/diary/episodes/{entry_id}", {**body, "severity": 2}, format="json")
    assert response.status_code == 200
    assert SpasmEpisode.objects.get(id=entry_id).severity == 2


def test_local_date_is_the_patients_own_date(patient_client, patient):
    patient.time_zone = "America/Los_Angeles"
    patient.save()
    # 23:30 in Los Angeles on 3 March is 07:30 UTC on 4 March.
    body = payload("episode", occurred_at="2026-03-03T23:30:00-08:00")
    assert patient_client.post("/api/v1/diary/episodes", body, format="json").json()["local_date"] == "2026-03-03"
    patient.time_zone = "Pacific/Auckland"
    patient.save()
    body = payload("episode", occurred_at="2026-03-03T10:30:00Z")  # 23:30 in Auckland (NZDT, +13)
    assert patient_client.post("/api/v1/diary/episodes", body, format="json").json()["local_date"] == "2026-03-03"


def test_a_later_time_zone_change_does_not_move_a_row(patient_client, patient):
    body = payload("episode", occurred_at="2026-03-03T23:30:00-08:00")
    patient.time_zone = "America/Los_Angeles"
    patient.save()
    patient_client.post("/api/v1/diary/episodes", body, format="json")
    patient_client.patch("/api/v1/me", {"time_zone": "Asia/Tokyo"}, format="json")
    response = patient_client.patch(f"/api/v1/diary/episodes/{body['id']}", {"severity": 3}, format="json")
    assert (response.json()["local_date"], response.json()["time_zone"]) == ("2026-03-03", "America/Los_Angeles")


def test_units_are_normalised_and_categorised(patient_client):
    dose = patient_client.post("/api/v1/diary/doses", payload("dose", amount="25", unit="ug"), format="json").json()
    assert (dose["amount_normalised"], dose["normalised_unit"]) == (1000.0, "IU")
    mg = patient_client.post(
        "/api/v1/diary/doses", payload("dose", supplement="magnesium", amount="0.4", unit="g"), format="json"
    ).json()
    assert (mg["amount_normalised"], mg["normalised_unit"]) == (400.0, "mg")
    lab = patient_client.post("/api/v1/diary/labs", payload("lab", value="45", unit="nmol/L"), format="json").json()
    assert lab["normalised_unit"] == "ng/mL"
    assert lab["value_normalised"] == pytest.approx(45 / 2.496)
    assert lab["category"] == "deficient"
    calcium = patient_client.post(
        "/api/v1/diary/labs", payload("lab", analyte="calcium", value="2.3", unit="mmol/L"), format="json"
    ).json()
    assert calcium["value_normalised"] == pytest.approx(9.2184)
    assert calcium["category"] == ""


def test_a_weekly_loading_regimen_shows_its_daily_equivalent_and_a_warning(patient_client):
    body = payload("regimen", amount="50000", frequency="weekly", weekdays=[7], phase="loading")
    response = patient_client.post("/api/v1/diary/regimens", body, format="json")
    assert response.status_code == 201
    assert response.json()["daily_equivalent"] == pytest.approx(7142.857, rel=1e-6)
    # 7,143 IU a day is below the 10,000 IU/day line: no warning.
    assert response.json()["warnings"] == []


def test_a_dose_links_only_to_the_patients_own_regimen(patient_client, stranger_client):
    regimen = patient_client.post("/api/v1/diary/regimens", payload("regimen"), format="json").json()
    ok = patient_client.post("/api/v1/diary/doses", payload("dose", regimen_id=regimen["id"]), format="json")
    assert ok.status_code == 201 and ok.json()["regimen_id"] == regimen["id"]
    assert_error(
        stranger_client.post("/api/v1/diary/doses", payload("dose", regimen_id=regimen["id"]), format="json"),
        400,
        "invalid",
        ["regimen_id"],
    )
    assert_error(
        patient_client.post(
            "/api/v1/diary/doses",
            payload("dose", supplement="magnesium", unit="mg", amount="300", regimen_id=regimen["id"]),
            format="json",
        ),
        400,
        "invalid",
        ["regimen_id"],
    )


def test_one_checkin_per_day(patient_client):
    first = payload("checkin")
    patient_client.post("/api/v1/diary/checkins", first, format="json")
    error = assert_error(
        patient_client.post("/api/v1/diary/checkins", payload("checkin", no_cramps=True), format="json"),
        409,
        "checkin_exists",
    )
    assert error["current"]["id"] == first["id"]
    assert DailyCheckin.objects.count() == 1


def test_regimen_from_template(patient_client):
    response = patient_client.post(
        "/api/v1/diary/regimens/from-template",
        {"template": "loading_50000_weekly", "start_date": "2026-09-06"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["frequency"], body["weekdays"], body["end_date"], body["phase"]) == (
        "50000.000",
        "weekly",
        [7],
        "2026-10-31",
        "loading",
    )
    assert_error(
        patient_client.post(
            "/api/v1/diary/regimens/from-template", {"template": "nope", "start_date": "x"}, format="json"
        ),
        400,
        "invalid",
        ["template", "start_date"],
    )


# Fifteen minutes ahead of when the test runs (not of when the module was imported: a
# value computed at import expires while a long run is still going).
FUTURE = object()


@pytest.mark.parametrize(
    ("kind", "overrides", "fields"),
    [
        ("episode", {"severity": 11}, ["severity"]),
        ("episode", {"severity": -1, "muscle_group": "elbow"}, ["severity", "muscle_group"]),
        ("episode", {"duration_seconds": 0}, ["duration_seconds"]),
        ("episode", {"duration_seconds": 86401}, ["duration_seconds"]),
        ("episode", {"occurred_at": FUTURE}, ["occurred_at"]),
        ("episode", {"occurred_at": "1999-12-31T23:59:00Z"}, ["occurred_at"]),
        ("episode", {"occurred_at": "yesterday"}, ["occurred_at"]),
        ("episode", {"notes": "x" * 2001}, ["notes"]),
        ("episode", {"id": "not-a-uuid"}, ["id"]),
        ("episode", {"severity": "six", "during_sleep": "perhaps"}, ["severity", "during_sleep"]),
        ("checkin", {"fatigue": 12, "local_date": "2999-01-01"}, ["fatigue", "local_date"]),
        ("sun", {"minutes": 1441}, ["minutes"]),
        ("sun", {"skin_exposed": ["arms", "arms"]}, ["skin_exposed"]),
        ("sun", {"uv_index": "25"}, ["uv_index"]),
        ("dose", {"amount": "0"}, ["amount"]),
        ("dose", {"unit": "ml"}, ["unit"]),
        ("dose", {"supplement": "magnesium", "unit": "IU"}, ["unit"]),
        ("regimen", {"frequency": "weekdays", "weekdays": []}, ["weekdays"]),
        ("regimen", {"frequency": "weekly", "weekdays": [8]}, ["weekdays.0"]),
        ("regimen", {"end_date": "2000-01-01"}, ["end_date"]),
        ("lab", {"value": "900", "unit": "ng/mL"}, ["value"]),
        ("lab", {"analyte": "potassium", "unit": "ng/mL"}, ["unit"]),
        ("lab", {"value": "-1"}, ["value"]),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(patient_client, kind, overrides, fields):
    in_15_minutes = (timezone.now() + timedelta(minutes=15)).isoformat()
    overrides = {name: in_15_minutes if value is FUTURE else value for name, value in overrides.items()}
    response = patient_client.post(f"/api/v1/diary/{KIND_PLURALS[kind]}", payload(kind, **overrides), format="json")
    assert_error(response, 400, "invalid", fields)
    assert MODELS[kind].objects.count() == 0


def test_malformed_json_and_non_objects_are_400(patient_client):
    assert_error(
        patient_client.generic("POST", "/api/v1/diary/episodes", "{", content_type="application/json"),
        400,
        "parse_error",
    )
    assert_error(patient_client.post("/api/v1/diary/episodes", [1, 2], format="json"), 400, "invalid")
    assert_error(patient_client.post("/api/v1/diary/episodes", "text", format="json"), 400, "invalid")


def test_list_filters_by_local_date_range_and_kind(patient_client):
    for day, group in [("2026-03-01", "calf"), ("2026-03-05", "thigh"), ("2026-03-09", "calf")]:
        patient_client.post(
            "/api/v1/diary/episodes",
            payload("episode", occurred_at=f"{day}T12:00:00Z", muscle_group=group),
            format="json",
        )
    rows = patient_client.get("/api/v1/diary/episodes?from=2026-03-02&to=2026-03-09&muscle_group=calf").json()[
        "results"
    ]
    assert [row["local_date"] for row in rows] == ["2026-03-09"]
    assert_error(patient_client.get("/api/v1/diary/episodes?from=March"), 400, "invalid", ["from"])


def test_lists_are_paginated(patient_client):
    body = [payload("episode", occurred_at=(timezone.now() - timedelta(hours=i)).isoformat()) for i in range(5)]
    for item in body:
        patient_client.post("/api/v1/diary/episodes", item, format="json")
    first = patient_client.get("/api/v1/diary/episodes?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = patient_client.get(first["next"]).json()
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})


def test_patch_cannot_change_the_id_or_break_validation(patient_client):
    body = payload("episode")
    patient_client.post("/api/v1/diary/episodes", body, format="json")
    assert_error(
        patient_client.patch(f"/api/v1/diary/episodes/{body['id']}", {"id": str(uuid.uuid4())}, format="json"),
        400,
        "invalid",
        ["id"],
    )
    assert_error(
        patient_client.patch(f"/api/v1/diary/episodes/{body['id']}", {"severity": 99}, format="json"),
        400,
        "invalid",
        ["severity"],
    )
    assert SpasmEpisode.objects.get().severity == 6


def test_clinician_and_patient_roles_are_distinct_diaries(db):
    doctor = make_user("doc@example.com", User.Role.CLINICIAN, mfa=True)
    assert_error(client_for(doctor).get("/api/v1/diary/episodes"), 403, "patient_only")


def test_reported_days_follow_creates_moves_and_deletes(patient_client, patient):
    from diary.models import ReportedDay

    def days():
        return sorted(str(d) for d in ReportedDay.objects.filter(patient=patient).values_list("local_date", flat=True))

    first = payload("episode", occurred_at="2026-03-03T12:00:00Z")
    second = payload("episode", occurred_at="2026-03-03T15:00:00Z")
    patient_client.post("/api/v1/diary/episodes", first, format="json")
    patient_client.post("/api/v1/diary/episodes", second, format="json")
    patient_client.post(
        "/api/v1/diary/checkins", payload("checkin", local_date="2026-03-05", no_cramps=True), format="json"
    )
    patient_client.post(
        "/api/v1/diary/labs", payload("lab", collected_on="2026-03-07"), format="json"
    )  # not daily logging
    assert days() == ["2026-03-03", "2026-03-05"]
    patient_client.patch(
        f"/api/v1/diary/episodes/{first['id']}", {"occurred_at": "2026-03-04T12:00:00Z"}, format="json"
    )
    assert days() == ["2026-03-03", "2026-03-04", "2026-03-05"]  # the 3rd still has the second episode
    patient_client.delete(f"/api/v1/diary/episodes/{second['id']}")
    assert days() == ["2026-03-04", "2026-03-05"]


@pytest.mark.parametrize(
    ("local_time", "during_sleep", "night"),
    [
        ("23:30", False, True),
        ("05:59", False, True),
        ("06:00", False, False),
        ("14:00", True, True),
        ("21:59", False, False),
    ],
)
def test_night_is_decided_in_the_patients_zone_when_logged(patient_client, patient, local_time, during_sleep, night):
    patient.time_zone = "America/New_York"
    patient.save()
    body = payload("episode", occurred_at=f"2026-01-15T{local_time}:00-05:00", during_sleep=during_sleep)
    patient_client.post("/api/v1/diary/episodes", body, format="json")
    assert SpasmEpisode.objects.get().night is night
