"""The API takes what its schema says: the disagreements schemathesis found, one by one."""

from __future__ import annotations

import pytest

from diary.models import SpasmEpisode, SunExposure
from diary.reminders.models import Reminder
from tests.conftest import assert_error
from tests.diary_payloads import payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("episode", "during_sleep", "true"),  # a string boolean
        ("episode", "during_sleep", 1),
        ("checkin", "no_cramps", 0),
        ("episode", "severity", "7"),  # a string integer
        ("episode", "severity", True),
        ("episode", "id", 12345),  # an integer UUID
        ("episode", "notes", 5),  # a number for a string
        ("dose", "amount", ""),  # "" where a decimal is documented
        ("dose", "amount", 25),  # a JSON number: the schema says a string of digits
        ("dose", "amount", "1e3"),
        ("dose", "amount", ".5"),
        ("lab", "value", "-1"),
        ("sun", "uv_index", ""),
        ("sun", "uv_index", "20.5"),
        ("sun", "skin_exposed", "arms"),
    ],
)
def test_a_value_of_another_type_is_refused_not_coerced(patient_client, kind, field, value):
    plural = {"episode": "episodes", "checkin": "checkins", "dose": "doses", "lab": "labs", "sun": "sun"}[kind]
    response = patient_client.post(f"/api/v1/diary/{plural}", payload(kind, **{field: value}), format="json")
    assert_error(response, 400, "invalid", [field])


def test_decimals_and_null_as_documented(patient_client):
    assert patient_client.post("/api/v1/diary/doses", payload("dose", amount="2.5"), format="json").status_code == 201
    response = patient_client.post("/api/v1/diary/sun", payload("sun", uv_index=None), format="json")
    assert response.status_code == 201
    assert SunExposure.objects.get().uv_index is None


def test_clock_times_are_hh_mm_in_and_out(patient_client):
    response = patient_client.post("/api/v1/reminders/", {"local_time": "07:30", "label": "Magnesium"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["local_time"] == "07:30"
    for bad in ("07:30:00Z", "7:30", "07:30:15", "24:00", 730):
        assert_error(
            patient_client.post("/api/v1/reminders/", {"local_time": bad, "label": "x"}, format="json"),
            400,
            "invalid",
            ["local_time"],
        )
    assert Reminder.objects.count() == 1
    schema = patient_client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    assert "format" not in schema["ReminderOutput"]["properties"]["local_time"]
    assert schema["ReminderOutput"]["properties"]["local_time"]["pattern"] == r"^([01]\d|2[0-3]):[0-5]\d$"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/diary/episodes?to=", "to"),
        ("/api/v1/diary/episodes?from=2026-01-01&from=2026-02-01", "from"),
        ("/api/v1/diary/episodes?during_sleep=AAA", "during_sleep"),
        ("/api/v1/diary/episodes?during_sleep=1", "during_sleep"),
        ("/api/v1/diary/episodes?min_severity=0.5", "min_severity"),
        ("/api/v1/diary/episodes?page_size=null", "page_size"),
        ("/api/v1/diary/episodes?page_size=0", "page_size"),
        ("/api/v1/diary/episodes?page_size=501", "page_size"),
        ("/api/v1/adherence?until=", "until"),
        ("/api/v1/trends/spasms?bucket=", "bucket"),
        ("/api/v1/trends/spasms?bucket=day&bucket=week", "bucket"),
        ("/api/v1/reminders/deliveries?status=", "status"),
    ],
)
def test_a_malformed_query_parameter_is_refused_not_ignored(patient_client, path, field):
    assert_error(patient_client.get(path), 400, "invalid", [field])


def test_well_formed_queries_still_work(patient_client):
    patient_client.post("/api/v1/diary/episodes", payload("episode", during_sleep=True), format="json")
    assert len(patient_client.get("/api/v1/diary/episodes?during_sleep=true&page_size=500").json()["results"]) == 1
    assert patient_client.get("/api/v1/diary/episodes?during_sleep=false").json()["results"] == []
    assert len(patient_client.get("/api/v1/diary/episodes?muscle_group=calf&muscle_group=foot").json()["results"]) == 1
    assert SpasmEpisode.objects.count() == 1


def test_an_unlinked_clinician_gets_the_404_before_any_400(patient, other_clinician_client, clinician_client):
    bad_query = f"/api/v1/clinician/patients/{patient.id}/adherence?since=0282-02-16&until=0447-09-11"
    assert_error(other_clinician_client.get(bad_query), 404, "not_found")
    assert_error(clinician_client.get(bad_query), 400, "invalid", ["since", "until"])
    assert_error(clinician_client.get("/api/v1/reminders/deliveries?status=nope"), 403, "patient_only")


def test_a_sync_item_of_any_shape_is_answered_on_its_own(patient_client):
    body = {"items": [None, 5, "x", [], {"kind": "episode"}]}
    response = patient_client.post("/api/v1/diary/sync", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["summary"] == {"created": 0, "unchanged": 0, "conflict": 0, "invalid": 5}
