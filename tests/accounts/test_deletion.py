"""Account deletion: a grace period in which logging in restores the account, links that
end at once, and then nothing of the person left in any table."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import models
from django.test import Client
from django.utils import timezone

from accounts import services, tasks
from accounts.models import AccessEvent, CareLink, User
from diary.dashboard.models import PatientSummary
from diary.dashboard.services import summaries_refresh
from diary.exports.models import ExportJob
from diary.exports.services import export_request
from diary.imports.models import ImportJob
from diary.reminders.models import Delivery, PushSubscription, Reminder
from tests.conftest import PASSWORD, assert_error, client_for, link, make_user
from tests.known_diary import known_diary

pytestmark = pytest.mark.django_db


def app_login(email: str, password: str = PASSWORD):
    return Client().post(
        "/_allauth/app/v1/auth/login", {"email": email, "password": password}, content_type="application/json"
    )


def user_references() -> list[tuple[type[models.Model], models.Field]]:
    """Every concrete foreign key or one-to-one field, in every installed model, that
    points at the user model."""
    user_model = apps.get_model("accounts", "User")
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model
    ]


def rows_pointing_at(user_id) -> dict[str, int]:
    counts = {}
    for model, field in user_references():
        count = model._default_manager.filter(**{field.attname: user_id}).count()
        if count:
            counts[f"{model._meta.label}.{field.name}"] = count
    return counts


def whole_life(patient, clinician, revoked_clinician):
    """Something in every table a patient can leave rows in."""
    diary = known_diary(patient)
    reminder = Reminder.objects.create(
        patient=patient, regimen=diary["regimens"][1], local_time=time(8), time_zone=patient.time_zone
    )
    Delivery.objects.create(
        reminder=reminder,
        scheduled_for=timezone.now(),
        fire_at=timezone.now(),
        status="taken",
        dose=diary["doses"][0],
    )
    PushSubscription.objects.create(
        user=patient, endpoint="https://fcm.googleapis.com/fcm/send/alice", p256dh="k", auth="a"
    )
    export_request(requested_by=patient, patient=patient, format="csv")
    export_request(requested_by=clinician, patient=patient, format="json")
    ImportJob.objects.create(patient=patient, format="csv", filename="old.csv")
    summaries_refresh([patient.id])
    services.access_event_record(clinician=clinician, patient=patient, resource="episodes", ip_address="10.0.0.1")
    services.invite_create(patient=patient)
    return diary


def test_a_patient_deletion_ends_access_at_once_and_then_leaves_no_row(
    patient, clinician, revoked_clinician, clinician_client, django_capture_on_commit_callbacks
):
    whole_life(patient, clinician, revoked_clinician)
    export_files = [job.file.path for job in ExportJob.objects.all()]
    before = rows_pointing_at(patient.id)
    # The walk is not vacuous: the patient's rows are in all of these.
    for label in (
        "diary.SpasmEpisode.patient",
        "diary.DailyCheckin.patient",
        "diary.SupplementDose.patient",
        "diary.LabResult.patient",
        "diary.ReportedDay.patient",
        "diary.DoseSkip.patient",
        "diary.PatientSummary.patient",
        "diary.ExportJob.patient",
        "diary.ImportJob.patient",
        "reminders.Reminder.patient",
        "reminders.PushSubscription.user",
        "accounts.CareLink.patient",
        "accounts.InviteCode.patient",
        "accounts.AccessEvent.patient",
        "account.EmailAddress.user",
    ):
        assert before.get(label), label
    token = app_login("alice@example.com").json()["meta"]["session_token"]
    browser = client_for(patient)

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/api/v1/me/deletion", {"password": PASSWORD}, content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["deletion_due_at"] > body["deletion_requested_at"]

    # At once: every session is refused, the links end, the export files are gone.
    assert_error(browser.get("/api/v1/me"), 401)
    assert_error(Client().get("/api/v1/me", HTTP_X_SESSION_TOKEN=token), 401)
    assert not CareLink.objects.active().filter(patient=patient).exists()
    assert_error(clinician_client.get(f"/api/v1/clinician/patients/{patient.id}/diary/episodes"), 404, "not_found")
    assert not ExportJob.objects.exists()
    assert not any(__import__("os").path.exists(path) for path in export_files)
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]

    # Not yet due: the beat task leaves it.
    assert tasks.delete_due_accounts() == 0
    User.objects.filter(id=patient.id).update(deletion_due_at=timezone.now() - timedelta(seconds=1))
    assert tasks.delete_due_accounts() == 1

    assert rows_pointing_at(patient.id) == {}
    assert not User.objects.filter(id=patient.id).exists()
    assert not Delivery.objects.exists()
    assert not PatientSummary.objects.exists()
    assert not any(s.get_decoded().get("_auth_user_id") == str(patient.id) for s in Session.objects.all())
    # The audit trail stays, without identity.
    event = AccessEvent.objects.get()
    assert (event.patient_id, event.clinician_id, event.resource) == (None, clinician.id, "episodes")
    assert event.subject_pseudonym is not None
    # The clinician's own account is untouched.
    assert rows_pointing_at(clinician.id)


def test_logging_in_during_the_grace_period_restores_the_account(patient, clinician):
    known_diary(patient)
    services.account_deletion_request(user=patient, password=PASSWORD)
    patient.refresh_from_db()
    assert patient.deletion_pending
    response = app_login("alice@example.com")
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    me = Client().get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200
    patient.refresh_from_db()
    assert (patient.deletion_requested_at, patient.deletion_due_at) == (None, None)
    User.objects.filter(id=patient.id).update(deletion_due_at=None)
    assert tasks.delete_due_accounts() == 0
    assert len(Client().get("/api/v1/diary/episodes", HTTP_X_SESSION_TOKEN=token).json()["results"]) == 3
    # Care links stay ended: the patient shares a new code to link again.
    assert not CareLink.objects.active().filter(patient=patient).exists()


def test_the_browser_login_restores_too(patient):
    services.account_deletion_request(user=patient, password=PASSWORD)
    client = Client()
    client.get("/_allauth/browser/v1/auth/session")
    response = client.post(
        "/_allauth/browser/v1/auth/login",
        {"email": "alice@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert client.get("/api/v1/me").status_code == 200
    patient.refresh_from_db()
    assert not patient.deletion_pending


def test_a_clinician_deletes_their_account_and_their_patients_are_told(
    patient, clinician, clinician_client, django_capture_on_commit_callbacks
):
    other = make_user("frank@example.com", name="Frank")
    link(other, clinician)
    services.access_event_record(clinician=clinician, patient=patient, resource="episodes", ip_address=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = clinician_client.post("/api/v1/me/deletion", {"password": PASSWORD}, content_type="application/json")
    assert response.status_code == 202
    assert not CareLink.objects.active().filter(clinician=clinician).exists()
    told = sorted(m.to[0] for m in mail.outbox if "no longer has access" in m.subject)
    assert told == ["alice@example.com", "frank@example.com"]
    assert "Dr Bob" in next(m for m in mail.outbox if m.to == ["alice@example.com"]).subject

    User.objects.filter(id=clinician.id).update(deletion_due_at=timezone.now())
    assert tasks.delete_due_accounts() == 1
    assert rows_pointing_at(clinician.id) == {}
    # The patient's log still says who read their diary.
    log = client_for(patient).get("/api/v1/me/access-log").json()["results"]
    assert log[0]["clinician"] is None
    assert log[0]["clinician_label"] == "Dr Bob (bob@example.com), account since deleted"


def test_deletion_needs_the_password_and_writes_nothing_without_it(patient, patient_client, clinician):
    assert_error(
        patient_client.post("/api/v1/me/deletion", {"password": "wrong"}, format="json"), 400, "invalid", ["password"]
    )
    assert_error(patient_client.post("/api/v1/me/deletion", {}, format="json"), 400, "invalid", ["password"])
    patient.refresh_from_db()
    assert not patient.deletion_pending
    assert CareLink.objects.active().filter(patient=patient).count() == 1
    assert patient_client.get("/api/v1/me").status_code == 200


def test_anonymous_cannot_ask(anon_client):
    assert_error(anon_client.post("/api/v1/me/deletion", {"password": PASSWORD}, format="json"), 401)


def test_reminders_are_not_sent_while_a_deletion_waits(patient):
    from diary.reminders.send import _send_one

    reminder = Reminder.objects.create(patient=patient, label="D3", local_time=time(8), time_zone=patient.time_zone)
    delivery = Delivery.objects.create(
        reminder=reminder, scheduled_for=timezone.now(), fire_at=timezone.now(), status="sending"
    )
    services.account_deletion_request(user=patient, password=PASSWORD)
    delivery = Delivery.objects.select_related("reminder__patient").get(id=delivery.id)
    _outcome, detail, _ = _send_one(delivery, {patient.id: []}, None, timezone.now(), None)
    assert detail == "the account is being deleted"
