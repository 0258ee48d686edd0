"""Reminder endpoints: every one tried by everyone the access rules talk about, bad input,
and the behaviour behind each (defaults from a regimen, Taken once, Snooze once, links)."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import AccessEvent, User
from diary.models import SupplementDose
from diary.reminders import links
from diary.reminders.models import Delivery, PushSubscription, Reminder
from tests.conftest import assert_error, client_for, make_user
from tests.reminders_support import browser_keys, hm, make_regimen, make_reminder

pytestmark = pytest.mark.django_db


def _now():
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture
def alice_world(patient):
    """Alice's regimen, reminder, a sent delivery and a device."""
    regimen = make_regimen(patient, start_date=timezone.localdate() - timedelta(days=20))
    reminder = make_reminder(patient, now=_now(), regimen=regimen)
    delivery = Delivery.objects.create(
        reminder=reminder,
        scheduled_for=_now() - timedelta(minutes=5),
        fire_at=_now() - timedelta(minutes=5),
        status="sent",
    )
    _, p256dh, auth = browser_keys()
    subscription = PushSubscription.objects.create(
        user=patient, endpoint="https://fcm.googleapis.com/fcm/send/alice", p256dh=p256dh, auth=auth
    )
    return {"regimen": regimen, "reminder": reminder, "delivery": delivery, "subscription": subscription}


def _subscription_body(endpoint: str = "https://fcm.googleapis.com/fcm/send/new") -> dict:
    _, p256dh, auth = browser_keys()
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}, "expiration_time": None}


OWNER_ENDPOINTS = [
    ("get", "/api/v1/reminders/", None, 200),
    ("post", "/api/v1/reminders/", {"local_time": "21:00", "label": "Magnesium"}, 201),
    ("get", "/api/v1/reminders/{reminder}/", None, 200),
    ("patch", "/api/v1/reminders/{reminder}/", {"channel": "both"}, 200),
    ("delete", "/api/v1/reminders/{reminder}/", None, 204),
    ("get", "/api/v1/reminders/deliveries", None, 200),
    ("post", "/api/v1/reminders/deliveries/{delivery}/taken", {}, 201),
    ("post", "/api/v1/reminders/deliveries/{delivery}/snooze", {}, 201),
    ("get", "/api/v1/adherence", None, 200),
    ("get", "/api/v1/push/subscriptions/", None, 200),
    ("post", "/api/v1/push/subscriptions/", "subscription_body", 201),
    ("delete", "/api/v1/push/subscriptions/{subscription}/", None, 204),
]
OWNER_IDS = [f"{method} {path}" for method, path, _, _ in OWNER_ENDPOINTS]
CLINICIAN_ENDPOINTS = [
    "/api/v1/clinician/patients/{patient}/reminders",
    "/api/v1/clinician/patients/{patient}/adherence",
]


def _call(client, method: str, path: str, body, world: dict, patient: User):
    url = path.format(
        reminder=world["reminder"].id,
        delivery=world["delivery"].id,
        subscription=world["subscription"].id,
        patient=patient.id,
    )
    if body == "subscription_body":
        body = _subscription_body()
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


@pytest.mark.parametrize(("method", "path", "body", "expected"), OWNER_ENDPOINTS, ids=OWNER_IDS)
def test_the_owner_may_do_everything_on_her_own_path(
    patient_client, patient, alice_world, method, path, body, expected
):
    response = _call(patient_client, method, path, body, alice_world, patient)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("method", "path", "body", "expected"), OWNER_ENDPOINTS, ids=OWNER_IDS)
def test_anonymous_gets_401_everywhere(anon_client, patient, alice_world, method, path, body, expected):
    assert_error(_call(anon_client, method, path, body, alice_world, patient), 401, "not_authenticated")


@pytest.mark.parametrize("who", ["clinician_client", "other_clinician_client", "revoked_clinician_client"])
@pytest.mark.parametrize(("method", "path", "body", "expected"), OWNER_ENDPOINTS, ids=OWNER_IDS)
def test_clinicians_have_no_patient_path(request, patient, alice_world, who, method, path, body, expected):
    client = request.getfixturevalue(who)
    assert_error(_call(client, method, path, body, alice_world, patient), 403, "patient_only")
    assert Reminder.objects.filter(id=alice_world["reminder"].id, channel="push").exists()


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [e for e in OWNER_ENDPOINTS if "{" in e[1]],
    ids=[i for i, e in zip(OWNER_IDS, OWNER_ENDPOINTS, strict=True) if "{" in e[1]],
)
def test_another_patient_cannot_touch_alices_rows(stranger_client, patient, alice_world, method, path, body, expected):
    assert_error(_call(stranger_client, method, path, body, alice_world, patient), 404, "not_found")
    assert Reminder.objects.filter(id=alice_world["reminder"].id, channel="push").exists()
    assert Delivery.objects.get(id=alice_world["delivery"].id).status == "sent"
    assert PushSubscription.objects.filter(id=alice_world["subscription"].id).exists()
    assert not SupplementDose.objects.exists()


def test_another_patient_lists_only_his_own(stranger_client, alice_world):
    for path in ("/api/v1/reminders/", "/api/v1/reminders/deliveries", "/api/v1/push/subscriptions/"):
        assert stranger_client.get(path).json()["results"] == [], path
    assert stranger_client.get("/api/v1/adherence").json()["regimens"] == []


@pytest.mark.parametrize("path", CLINICIAN_ENDPOINTS)
def test_a_linked_clinician_reads_and_each_read_is_logged(clinician_client, clinician, patient, alice_world, path):
    url = path.format(patient=patient.id)
    response = clinician_client.get(url)
    assert response.status_code == 200, response.content
    if url.endswith("reminders"):
        assert [r["id"] for r in response.json()["results"]] == [alice_world["reminder"].id]
    else:
        assert [r["regimen_id"] for r in response.json()["regimens"]] == [str(alice_world["regimen"].id)]
    assert list(
        AccessEvent.objects.filter(patient=patient, clinician=clinician).values_list("resource", flat=True)
    ) == [url.rsplit("/", 1)[1]]
    assert_error(clinician_client.post(url, {"local_time": "08:00"}, format="json"), 405, "method_not_allowed")


@pytest.mark.parametrize(
    "who", ["other_clinician_client", "revoked_clinician_client", "stranger_client", "patient_client"]
)
@pytest.mark.parametrize("path", CLINICIAN_ENDPOINTS)
def test_nobody_else_reads_the_clinician_path(request, patient, alice_world, who, path):
    client = request.getfixturevalue(who)
    assert_error(client.get(path.format(patient=patient.id)), 404, "not_found")
    assert AccessEvent.objects.count() == 0


@pytest.mark.parametrize("path", CLINICIAN_ENDPOINTS)
def test_anonymous_and_a_clinician_without_two_factor_are_refused(anon_client, patient, alice_world, path):
    from tests.conftest import link

    url = path.format(patient=patient.id)
    assert_error(anon_client.get(url), 401, "not_authenticated")
    no_mfa = make_user("frank@example.com", User.Role.CLINICIAN)
    link(patient, no_mfa)
    assert_error(client_for(no_mfa).get(url), 403, "mfa_required")


# --- bad input: 400 with field errors, nothing written ------------------------------------
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["local_time"]),
        ({"local_time": "25:00"}, ["local_time"]),
        ({"local_time": "08:00:30"}, ["local_time"]),
        ({"local_time": "08:00", "weekdays": [0, 8]}, ["weekdays.0", "weekdays.1"]),
        ({"local_time": "08:00", "weekdays": [2, 2]}, ["weekdays"]),
        ({"local_time": "08:00", "weekdays": "monday"}, ["weekdays"]),
        ({"local_time": "08:00", "channel": "sms"}, ["channel"]),
        ({"local_time": "08:00", "quiet_start": "22:00"}, ["quiet_end"]),
        ({"local_time": "08:00", "quiet_start": "22:00", "quiet_end": "22:00"}, ["quiet_end"]),
        ({"local_time": "08:00", "label": "x" * 81}, ["label"]),
        ({"regimen_id": "not-a-uuid"}, ["regimen_id"]),
        ({"regimen_id": str(uuid.uuid4())}, ["regimen_id"]),
        ({"local_time": "08:00", "enabled": "perhaps"}, ["enabled"]),
        (["08:00"], ["non_field_errors"]),
    ],
)
def test_bad_reminders_are_refused_with_field_errors(patient_client, body, fields):
    assert_error(patient_client.post("/api/v1/reminders/", body, format="json"), 400, fields=fields)
    assert not Reminder.objects.exists()


def test_malformed_json_is_a_400_not_a_500(patient_client):
    response = patient_client.generic("POST", "/api/v1/reminders/", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_a_regimen_of_another_patient_is_refused_like_a_missing_one(patient_client, stranger):
    other = make_regimen(stranger)
    error = assert_error(
        patient_client.post("/api/v1/reminders/", {"regimen_id": str(other.id)}, format="json"),
        400,
        fields=["regimen_id"],
    )
    assert error["fields"]["regimen_id"] == ["No regimen with this id in your diary."]


def test_a_bad_update_changes_nothing(patient_client, alice_world):
    reminder = alice_world["reminder"]
    url = f"/api/v1/reminders/{reminder.id}/"
    for body, fields in [
        ({"weekdays": [1, 1], "channel": "email"}, ["weekdays"]),
        ({"quiet_start": "22:00", "channel": "email"}, ["quiet_end"]),
        ({"regimen_id": str(uuid.uuid4())}, ["regimen_id"]),
        ({"local_time": None}, ["local_time"]),
    ]:
        assert_error(patient_client.patch(url, body, format="json"), 400, fields=fields)
    stored = Reminder.objects.get(id=reminder.id)
    assert (stored.channel, stored.weekdays, stored.quiet_start, stored.next_fire_at) == (
        "push",
        [],
        None,
        reminder.next_fire_at,
    )


@pytest.mark.parametrize(
    ("path", "body", "fields"),
    [
        ("snooze", {"minutes": 0}, ["minutes"]),
        ("snooze", {"minutes": 721}, ["minutes"]),
        ("snooze", {"minutes": "soon"}, ["minutes"]),
        ("taken", {"taken_at": "2999-01-01T00:00:00Z"}, ["taken_at"]),
        ("taken", {"taken_at": "yesterday"}, ["taken_at"]),
    ],
)
def test_bad_actions_are_refused_and_write_nothing(patient_client, alice_world, path, body, fields):
    delivery = alice_world["delivery"]
    response = patient_client.post(f"/api/v1/reminders/deliveries/{delivery.id}/{path}", body, format="json")
    assert_error(response, 400, fields=fields)
    assert Delivery.objects.get(id=delivery.id).status == "sent"
    assert Delivery.objects.count() == 1
    assert not SupplementDose.objects.exists()


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"endpoint": "https://internal.example.com/push"}, ["endpoint"]),
        ({"endpoint": "http://fcm.googleapis.com/fcm/send/x"}, ["endpoint"]),
        ({"endpoint": "not a url"}, ["endpoint"]),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, ["keys.p256dh"]),
        ({"keys": {"p256dh": None, "auth": "x"}}, ["keys.p256dh"]),
        ({"keys": None}, ["keys"]),
    ],
)
def test_bad_subscriptions_are_refused(patient_client, change, fields):
    body = {**_subscription_body(), **change}
    assert_error(patient_client.post("/api/v1/push/subscriptions/", body, format="json"), 400, fields=fields)
    assert not PushSubscription.objects.exists()


def test_a_subscription_with_a_bad_auth_secret_is_refused(patient_client):
    body = _subscription_body()
    body["keys"]["auth"] = "c2hvcnQ"
    assert_error(patient_client.post("/api/v1/push/subscriptions/", body, format="json"), 400, fields=["keys.auth"])


@pytest.mark.parametrize(
    "query",
    ["since=2026-05-01&until=2026-04-01", "since=2024-01-01&until=2026-01-01", "since=last-week", "until=2026-13-01"],
)
def test_bad_adherence_ranges_are_400(patient_client, query):
    assert_error(patient_client.get(f"/api/v1/adherence?{query}"), 400)


def test_a_bad_delivery_filter_is_400(patient_client):
    assert_error(patient_client.get("/api/v1/reminders/deliveries?status=lost"), 400, fields=["status"])


# --- behaviour ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("regimen", "local_time", "weekdays"),
    [
        ({"frequency": "daily"}, "08:00", []),
        ({"frequency": "weekly", "weekdays": [7]}, "09:00", [7]),
        ({"frequency": "weekdays", "weekdays": [1, 3, 5]}, "08:00", [1, 3, 5]),
    ],
)
def test_a_reminder_from_a_regimen_takes_sensible_defaults(patient_client, patient, regimen, local_time, weekdays):
    made = make_regimen(patient, **regimen)
    response = patient_client.post("/api/v1/reminders/", {"regimen_id": str(made.id)}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["local_time"], body["weekdays"], body["channel"], body["enabled"]) == (
        local_time,
        weekdays,
        "push",
        True,
    )
    assert body["time_zone"] == "Europe/London"
    assert body["next_fire_local"][11:16] == local_time


def test_the_same_regimen_at_the_same_time_is_a_409_with_the_stored_row(patient_client, alice_world):
    body = {"regimen_id": str(alice_world["regimen"].id)}
    error = assert_error(patient_client.post("/api/v1/reminders/", body, format="json"), 409, "reminder_exists")
    assert error["current"]["id"] == alice_world["reminder"].id
    other_time = patient_client.post("/api/v1/reminders/", {**body, "local_time": "20:00"}, format="json")
    assert other_time.status_code == 201


def test_an_ended_regimen_gets_no_reminder(patient_client, patient):
    ended = make_regimen(patient, start_date=date(2026, 1, 1), end_date=date(2026, 2, 1))
    response = patient_client.post("/api/v1/reminders/", {"regimen_id": str(ended.id)}, format="json")
    assert_error(response, 400, "invalid", fields=["regimen_id"])


def test_editing_the_schedule_recomputes_the_next_slot(patient_client, alice_world):
    url = f"/api/v1/reminders/{alice_world['reminder'].id}/"
    moved = patient_client.patch(url, {"local_time": "21:30"}, format="json").json()
    assert moved["next_fire_local"][11:16] == "21:30"
    off = patient_client.patch(url, {"enabled": False}, format="json").json()
    assert off["next_fire_at"] is None
    on = patient_client.patch(url, {"enabled": True}, format="json").json()
    assert on["next_fire_local"][11:16] == "21:30"
    relabelled = patient_client.patch(url, {"label": "With breakfast"}, format="json").json()
    assert relabelled["next_fire_at"] == on["next_fire_at"]


def test_deleting_a_reminder_deletes_its_deliveries(patient_client, alice_world):
    assert patient_client.delete(f"/api/v1/reminders/{alice_world['reminder'].id}/").status_code == 204
    assert not Delivery.objects.exists()


def test_taken_twice_makes_one_dose(patient_client, patient, alice_world):
    url = f"/api/v1/reminders/deliveries/{alice_world['delivery'].id}/taken"
    first = patient_client.post(url, {}, format="json")
    second = patient_client.post(url, {}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["dose"]["id"] == second.json()["dose"]["id"]
    assert (first.json()["created"], second.json()["created"]) == (True, False)
    dose = SupplementDose.objects.get(patient=patient)
    assert dose.regimen_id == alice_world["regimen"].id
    assert dose.reminder_delivery.id == alice_world["delivery"].id
    listed = patient_client.get("/api/v1/reminders/deliveries").json()["results"]
    assert [(d["status"], d["dose_id"]) for d in listed] == [("taken", str(dose.id))]


def test_taken_on_the_follow_up_and_on_the_reminder_makes_one_dose(patient_client, patient, alice_world):
    delivery = alice_world["delivery"]
    follow_up = Delivery.objects.create(
        reminder=delivery.reminder,
        kind="follow_up",
        scheduled_for=delivery.scheduled_for,
        fire_at=_now(),
        status="sent",
    )
    assert patient_client.post(f"/api/v1/reminders/deliveries/{follow_up.id}/taken").status_code == 201
    assert patient_client.post(f"/api/v1/reminders/deliveries/{delivery.id}/taken").status_code == 200
    assert SupplementDose.objects.filter(patient=patient).count() == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"taken"}


def test_taken_for_a_reminder_without_regimen_logs_no_dose(patient_client, patient):
    reminder = make_reminder(patient, now=_now(), local_time=hm("07:00"), label="Something")
    delivery = Delivery.objects.create(reminder=reminder, scheduled_for=_now(), fire_at=_now(), status="sent")
    body = patient_client.post(f"/api/v1/reminders/deliveries/{delivery.id}/taken").json()
    assert (body["dose"], body["delivery"]["status"]) == (None, "taken")


def test_snooze_once_then_taken_refuses_more_snoozes(patient_client, alice_world):
    base = f"/api/v1/reminders/deliveries/{alice_world['delivery'].id}"
    first = patient_client.post(f"{base}/snooze", {"minutes": 10}, format="json")
    second = patient_client.post(f"{base}/snooze", {"minutes": 45}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["kind"] == "snooze"
    patient_client.post(f"{base}/taken")
    assert_error(patient_client.post(f"{base}/snooze"), 409, "already_taken")
    # The pending snooze will not ring: the dose is in.
    assert Delivery.objects.get(id=first.json()["id"]).status == "taken"


def test_the_delivery_list_filters_by_status_and_reminder(patient_client, alice_world):
    reminder = alice_world["reminder"]
    Delivery.objects.create(
        reminder=reminder, scheduled_for=_now() - timedelta(days=1), fire_at=_now(), status="missed"
    )
    missed = patient_client.get("/api/v1/reminders/deliveries?status=missed").json()["results"]
    assert [d["status"] for d in missed] == ["missed"]
    assert len(patient_client.get(f"/api/v1/reminders/deliveries?reminder={reminder.id}").json()["results"]) == 2


# --- the signed link ----------------------------------------------------------------------
def test_an_expired_link_is_refused_and_writes_nothing(anon_client, alice_world, settings):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 25 * 3600):
        path = links.action_path(alice_world["delivery"].id, "taken")
    page = anon_client.get(path)
    assert page.status_code == 410
    assert b"expired" in page.content
    assert_error(anon_client.post(path), 410, "link_expired")
    assert not SupplementDose.objects.exists()
    settings.REMINDER_LINK_MAX_AGE_HOURS = 48
    assert anon_client.post(path).status_code == 200


@pytest.mark.parametrize("tamper", ["signature", "delivery", "action", "garbage"])
def test_a_tampered_link_is_refused_and_writes_nothing(anon_client, alice_world, tamper):
    token = links.action_token(alice_world["delivery"].id, "taken")
    value, stamp, signature = token.split(":")
    token = {
        "signature": f"{value}:{stamp}:{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
        "delivery": f"taken.{alice_world['delivery'].id + 1}:{stamp}:{signature}",
        "action": f"snooze.{alice_world['delivery'].id}:{stamp}:{signature}",
        "garbage": "hello",
    }[tamper]
    # A token that names no link is a URL that names nothing: 404, page or JSON.
    assert anon_client.get(f"/api/v1/reminders/actions/{token}").status_code == 404
    assert_error(anon_client.post(f"/api/v1/reminders/actions/{token}"), 404, "link_invalid")
    assert not SupplementDose.objects.exists()
    assert Delivery.objects.count() == 1


def test_a_link_to_a_deleted_reminder_is_404(anon_client, alice_world):
    path = links.action_path(alice_world["delivery"].id, "taken")
    alice_world["reminder"].delete()
    assert_error(anon_client.post(path), 404, "not_found")


# --- devices ------------------------------------------------------------------------------
def test_one_subscription_per_endpoint_and_it_follows_the_last_user(patient_client, stranger_client, stranger):
    body = _subscription_body()
    assert patient_client.post("/api/v1/push/subscriptions/", body, format="json").status_code == 201
    assert patient_client.post("/api/v1/push/subscriptions/", body, format="json").status_code == 200
    assert stranger_client.post("/api/v1/push/subscriptions/", body, format="json").status_code == 200
    subscription = PushSubscription.objects.get()
    assert subscription.user_id == stranger.id
    assert patient_client.get("/api/v1/push/subscriptions/").json()["results"] == []


def test_the_vapid_public_key_is_served_to_anyone(anon_client, vapid, settings):
    assert anon_client.get("/api/v1/push/vapid-public-key").json() == {"public_key": vapid[1]}
    settings.WEBPUSH_VAPID_PUBLIC_KEY = None
    assert anon_client.get("/api/v1/push/vapid-public-key").json() == {"public_key": None}
