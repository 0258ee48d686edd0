"""Reported days (DOMAIN.md): a date says something about cramps only with an episode or an
explicit "no cramps"; the two never stand on one date; the zero is one tap."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from diary.models import DailyCheckin, ReportedDay, SpasmEpisode
from tests.conftest import assert_error, client_for
from tests.diary_payloads import payload

pytestmark = pytest.mark.django_db


def reported(patient) -> set[date]:
    return set(ReportedDay.objects.filter(patient=patient).values_list("local_date", flat=True))


def noon(patient, day: date) -> str:
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=patient.zone).isoformat()


def post(client, kind: str, **fields):
    return client.post(
        f"/api/v1/diary/{kind}", payload(kind.rstrip("s") if kind != "sun" else "sun", **fields), format="json"
    )


def test_only_an_episode_or_a_no_cramps_statement_makes_a_day_reported(patient, patient_client):
    today = patient.local_today()
    days = [today - timedelta(days=n) for n in range(1, 6)]
    post(patient_client, "episodes", occurred_at=noon(patient, days[0]))
    post(patient_client, "checkins", local_date=days[1].isoformat(), no_cramps=True)
    post(patient_client, "checkins", local_date=days[2].isoformat(), no_cramps=False, fatigue=4)  # scores only
    post(patient_client, "doses", taken_at=noon(patient, days[3]))
    post(patient_client, "sun", started_at=noon(patient, days[4]), minutes=40)
    assert reported(patient) == {days[0], days[1]}

    body = patient_client.get(f"/api/v1/diary/days?from={days[4]}&to={days[0]}").json()
    assert [(d["date"], d["reported"], d["episodes"], d["no_cramps"]) for d in body] == [
        (days[0].isoformat(), True, 1, False),
        (days[1].isoformat(), True, 0, True),
        (days[2].isoformat(), False, 0, False),
        (days[3].isoformat(), False, 0, False),
        (days[4].isoformat(), False, 0, False),
    ]


def test_deleting_or_moving_the_last_cramp_of_a_day_unreports_it(patient, patient_client):
    today = patient.local_today()
    first = post(patient_client, "episodes", occurred_at=noon(patient, today - timedelta(days=3))).json()
    assert reported(patient) == {today - timedelta(days=3)}
    patient_client.patch(
        f"/api/v1/diary/episodes/{first['id']}",
        {"occurred_at": noon(patient, today - timedelta(days=2))},
        format="json",
    )
    assert reported(patient) == {today - timedelta(days=2)}
    patient_client.delete(f"/api/v1/diary/episodes/{first['id']}")
    assert reported(patient) == set()


def test_a_cramp_on_a_no_cramps_date_is_stored_and_clears_the_statement(patient, patient_client):
    day = patient.local_today() - timedelta(days=1)
    checkin = post(patient_client, "checkins", local_date=day.isoformat(), no_cramps=True, fatigue=2).json()
    response = post(patient_client, "episodes", occurred_at=noon(patient, day))
    assert response.status_code == 201
    assert [w["code"] for w in response.json()["warnings"]] == ["no_cramps_cleared"]
    stored = DailyCheckin.objects.get(id=checkin["id"])
    assert (stored.no_cramps, stored.fatigue) == (False, 2)  # the scores stay
    assert reported(patient) == {day}


def test_a_cramp_moved_onto_a_no_cramps_date_by_patch_clears_it_too(patient, patient_client):
    today = patient.local_today()
    post(patient_client, "checkins", local_date=(today - timedelta(days=1)).isoformat(), no_cramps=True)
    episode = post(patient_client, "episodes", occurred_at=noon(patient, today - timedelta(days=2))).json()
    response = patient_client.patch(
        f"/api/v1/diary/episodes/{episode['id']}",
        {"occurred_at": noon(patient, today - timedelta(days=1))},
        format="json",
    )
    assert [w["code"] for w in response.json()["warnings"]] == ["no_cramps_cleared"]
    assert not DailyCheckin.objects.filter(no_cramps=True).exists()
    assert reported(patient) == {today - timedelta(days=1)}


def test_no_cramps_for_a_date_with_cramps_is_a_409_naming_them_by_post_put_and_patch(patient, patient_client):
    day = patient.local_today() - timedelta(days=1)
    first = post(patient_client, "episodes", occurred_at=noon(patient, day)).json()
    second = post(patient_client, "episodes", occurred_at=noon(patient, day).replace("12:00", "13:00")).json()
    error = assert_error(
        post(patient_client, "checkins", local_date=day.isoformat(), no_cramps=True), 409, "cramps_logged"
    )
    assert error["episode_ids"] == [first["id"], second["id"]]
    assert not DailyCheckin.objects.exists()

    checkin = post(patient_client, "checkins", local_date=day.isoformat(), fatigue=3).json()
    body = {**payload("checkin", local_date=day.isoformat(), no_cramps=True)}
    body.pop("id")
    assert_error(
        patient_client.put(f"/api/v1/diary/checkins/{checkin['id']}", body, format="json"), 409, "cramps_logged"
    )
    error = assert_error(
        patient_client.patch(f"/api/v1/diary/checkins/{checkin['id']}", {"no_cramps": True}, format="json"),
        409,
        "cramps_logged",
    )
    assert len(error["episode_ids"]) == 2
    assert DailyCheckin.objects.get().no_cramps is False


def _item(kind: str, recorded_at: datetime, **fields) -> dict:
    body = payload(kind, **fields)
    return {"kind": kind, "id": body.pop("id"), "recorded_at": recorded_at.isoformat(), "payload": body}


def test_sync_no_cramps_said_before_a_later_cramp_is_kept_without_the_statement(patient, patient_client):
    day = patient.local_today() - timedelta(days=1)
    morning = timezone.now() - timedelta(hours=20)
    items = [
        _item("checkin", morning, local_date=day.isoformat(), no_cramps=True, fatigue=1),
        _item("episode", morning + timedelta(hours=8), occurred_at=noon(patient, day)),
    ]
    results = patient_client.post("/api/v1/diary/sync", {"items": items}, format="json").json()["results"]
    assert [(r["status"], [w["code"] for w in r["warnings"]]) for r in results] == [
        ("created", ["no_cramps_cleared"]),
        ("created", []),
    ]
    assert DailyCheckin.objects.get().no_cramps is False


def test_sync_no_cramps_said_after_a_cramp_is_refused_with_the_episode_ids(patient, patient_client):
    day = patient.local_today() - timedelta(days=1)
    evening = timezone.now() - timedelta(hours=2)
    episode = _item("episode", evening - timedelta(hours=5), occurred_at=noon(patient, day))
    items = [episode, _item("checkin", evening, local_date=day.isoformat(), no_cramps=True)]
    results = patient_client.post("/api/v1/diary/sync", {"items": items}, format="json").json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [("created", None), ("conflict", "cramps_logged")]
    assert results[1]["episode_ids"] == [episode["id"]]
    assert not DailyCheckin.objects.exists()


def test_sync_episodes_clear_statements_already_stored(patient, patient_client):
    day = patient.local_today() - timedelta(days=2)
    post(patient_client, "checkins", local_date=day.isoformat(), no_cramps=True)
    items = [_item("episode", timezone.now(), occurred_at=noon(patient, day))]
    result = patient_client.post("/api/v1/diary/sync", {"items": items}, format="json").json()["results"][0]
    assert [w["code"] for w in result["warnings"]] == ["no_cramps_cleared"]
    assert not DailyCheckin.objects.filter(no_cramps=True).exists()


def test_no_cramps_in_one_tap_is_one_idempotent_row(patient, patient_client):
    day = patient.local_today() - timedelta(days=1)
    first = patient_client.post(f"/api/v1/diary/days/{day}/no-cramps")
    again = patient_client.post(f"/api/v1/diary/days/{day}/no-cramps")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert DailyCheckin.objects.get().no_cramps is True
    assert reported(patient) == {day}


def test_no_cramps_in_one_tap_fills_the_days_checkin_or_refuses_beside_a_cramp(patient, patient_client):
    day = patient.local_today() - timedelta(days=1)
    checkin = post(patient_client, "checkins", local_date=day.isoformat(), fatigue=6).json()
    response = patient_client.post(f"/api/v1/diary/days/{day}/no-cramps")
    assert (response.status_code, response.json()["id"], response.json()["fatigue"]) == (200, checkin["id"], 6)
    other = day - timedelta(days=1)
    post(patient_client, "episodes", occurred_at=noon(patient, other))
    assert_error(patient_client.post(f"/api/v1/diary/days/{other}/no-cramps"), 409, "cramps_logged")


@pytest.mark.parametrize("day", ["tomorrow", "2026-13-01", "1999-12-31"])
def test_no_cramps_for_a_bad_date_is_a_400(patient, patient_client, day):
    if day == "tomorrow":
        day = (patient.local_today() + timedelta(days=1)).isoformat()
    assert_error(patient_client.post(f"/api/v1/diary/days/{day}/no-cramps"), 400, "invalid", ["date"])
    assert not DailyCheckin.objects.exists()


def test_who_may_read_days_and_say_no_cramps(patient, clinician, other_clinician, stranger, anon_client):
    day = patient.local_today() - timedelta(days=1)
    assert client_for(patient).get("/api/v1/diary/days").status_code == 200
    assert len(client_for(patient).get("/api/v1/diary/days").json()) == 14
    assert client_for(clinician).get(f"/api/v1/clinician/patients/{patient.id}/diary/days").status_code == 200
    assert client_for(other_clinician).get(f"/api/v1/clinician/patients/{patient.id}/diary/days").status_code == 404
    assert client_for(stranger).get(f"/api/v1/clinician/patients/{patient.id}/diary/days").status_code == 404
    assert client_for(stranger).get("/api/v1/diary/days").json()[0]["reported"] is False  # their own, empty
    for client in (client_for(clinician), client_for(other_clinician)):
        assert client.post(f"/api/v1/diary/days/{day}/no-cramps").status_code == 403
    assert anon_client.post(f"/api/v1/diary/days/{day}/no-cramps").status_code in (401, 403)
    assert anon_client.get("/api/v1/diary/days").status_code in (401, 403)
    client_for(stranger).post(f"/api/v1/diary/days/{day}/no-cramps")
    assert not DailyCheckin.objects.filter(patient=patient).exists()


@pytest.mark.parametrize("query", ["from=2026-02-01&to=2026-01-01", "from=2020-01-01&to=2026-01-01", "to=nope"])
def test_bad_day_ranges_are_400(patient_client, query):
    assert_error(patient_client.get(f"/api/v1/diary/days?{query}"), 400, "invalid")


@pytest.mark.django_db(transaction=True)
def test_the_migration_resolves_a_contradiction_and_rebuilds_reported_days():
    executor = MigrationExecutor(connection)
    before = [("diary", "0003_night_and_observed_days"), ("accounts", "0002_clinician_verified_at")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    user = apps.get_model("accounts", "User").objects.create(email="old@example.com", password="x", time_zone="UTC")
    day, other = date(2026, 3, 3), date(2026, 3, 4)
    common = {"patient_id": user.id, "time_zone": "UTC", "recorded_at": timezone.now()}
    apps.get_model("diary", "SpasmEpisode").objects.create(
        id=uuid.uuid4(), local_date=day, occurred_at=timezone.now(), muscle_group="calf", severity=5, **common
    )
    checkins = apps.get_model("diary", "DailyCheckin")
    checkins.objects.create(id=uuid.uuid4(), local_date=day, no_cramps=True, **common)  # the contradiction
    checkins.objects.create(id=uuid.uuid4(), local_date=other, no_cramps=True, **common)
    apps.get_model("diary", "SunExposure").objects.create(
        id=uuid.uuid4(), local_date=date(2026, 3, 5), started_at=timezone.now(), minutes=10, **common
    )
    observed = apps.get_model("diary", "ObservedDay")
    for d in (day, other, date(2026, 3, 5)):
        observed.objects.create(patient_id=user.id, local_date=d)

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert DailyCheckin.objects.get(local_date=day).no_cramps is False
    assert DailyCheckin.objects.get(local_date=other).no_cramps is True
    assert set(ReportedDay.objects.values_list("local_date", flat=True)) == {day, other}
    assert SpasmEpisode.objects.count() == 1
