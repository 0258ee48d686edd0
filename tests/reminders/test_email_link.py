"""The email's one-click "Taken" link (and the push notification's "Taken" / "Snooze"):
opening it changes nothing, its button logs the dose once, a dose the patient deleted stays
deleted, and each link works once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from diary.models import SupplementDose
from diary.reminders import links
from diary.reminders.models import Delivery
from tests.conftest import assert_error, client_for
from tests.reminders_support import make_regimen, make_reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(patient) -> Delivery:
    now = timezone.now()
    regimen = make_regimen(patient, start_date=timezone.localdate() - timedelta(days=20))
    reminder = make_reminder(patient, now=now, regimen=regimen)
    return Delivery.objects.create(
        reminder=reminder, scheduled_for=now - timedelta(minutes=5), fire_at=now - timedelta(minutes=5), status="sent"
    )


def _state(delivery: Delivery) -> tuple:
    delivery.refresh_from_db()
    return (SupplementDose.objects.count(), delivery.status, delivery.dose_id, delivery.taken_link_used_at)


def confirm(path: str):
    """The confirmation page's button: a form POST, from a browser with CSRF checks on and
    no session (the token in the URL is the credential)."""
    return Client(enforce_csrf_checks=True).post(path, "confirm=1", content_type="application/x-www-form-urlencoded")


def test_opening_the_link_changes_nothing(delivery):
    path = links.action_path(delivery.id, "taken")
    before = _state(delivery)
    for _ in range(3):  # the mail client, its link scanner, the patient
        page = Client().get(path)
        assert page.status_code == 200
        assert page["Content-Type"].startswith("text/html")
        assert b"Log this dose?" in page.content
        assert f'<form method="post" action="{path}">'.encode() in page.content
    assert _state(delivery) == before == (0, "sent", None, None)


def test_the_button_logs_the_dose_once(delivery):
    path = links.action_path(delivery.id, "taken")
    response = confirm(path)
    assert response.status_code == 200, response.content
    assert b"Logged" in response.content
    doses, status, dose_id, used_at = _state(delivery)
    assert (doses, status, used_at is not None) == (1, "taken", True)
    assert SupplementDose.objects.get().id == dose_id

    again = confirm(path)
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert SupplementDose.objects.count() == 1
    # The page says so too, and offers no button.
    page = Client().get(path)
    assert page.status_code == 410
    assert b"<form" not in page.content


def test_a_dose_the_patient_deleted_stays_deleted(delivery, patient):
    taken_link = links.action_path(delivery.id, "taken")
    assert confirm(taken_link).status_code == 200
    dose = SupplementDose.objects.get()
    assert client_for(patient).delete(f"/api/v1/diary/doses/{dose.id}").status_code == 204

    # The old link, the service worker's retry, the in-app button: none brings it back.
    assert confirm(taken_link).status_code == 410
    assert_error(Client().post(taken_link, {}, content_type="application/json"), 410, "link_used")
    response = client_for(patient).post(f"/api/v1/reminders/deliveries/{delivery.id}/taken", {}, format="json")
    assert response.status_code == 200
    assert (response.json()["dose"], response.json()["created"]) == (None, False)
    # Even a fresh link for the slot (the same delivery, signed again) logs nothing.
    Delivery.objects.filter(id=delivery.id).update(taken_link_used_at=None)
    assert confirm(links.action_path(delivery.id, "taken")).status_code == 200
    assert not SupplementDose.objects.exists()
    assert Delivery.objects.get(id=delivery.id).status == "taken"


def test_the_service_worker_posts_without_cookies_and_reads_json(delivery):
    # sw.ts: request("POST", takenUrl, {}) with Accept and Content-Type application/json.
    path = links.action_path(delivery.id, "taken")
    response = Client(enforce_csrf_checks=True).post(
        path, {}, content_type="application/json", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["action"], body["delivery"]["status"], body["dose"]["supplement"]) == ("taken", "taken", "vitamin_d3")
    assert_error(Client().post(path, {}, content_type="application/json"), 410, "link_used")


def test_snooze_and_taken_are_two_links_each_working_once(delivery):
    snooze = links.action_path(delivery.id, "snooze")
    assert Client().post(snooze, {}, content_type="application/json").json()["action"] == "snooze"
    assert_error(Client().post(snooze, {}, content_type="application/json"), 410, "link_used")
    assert confirm(links.action_path(delivery.id, "taken")).status_code == 200
    assert SupplementDose.objects.count() == 1


def test_a_link_whose_action_fails_can_be_used_again(delivery):
    # Snooze after the dose is in fails (409): the link's use is rolled back with it.
    Client().post(links.action_path(delivery.id, "taken"), {}, content_type="application/json")
    snooze = links.action_path(delivery.id, "snooze")
    assert_error(Client().post(snooze, {}, content_type="application/json"), 409, "already_taken")
    delivery.refresh_from_db()
    assert delivery.snooze_link_used_at is None


def test_the_confirmation_page_runs_no_script_and_styles_only_with_its_nonce(delivery):
    page = Client().get(links.action_path(delivery.id, "taken"))
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert b"<script" not in page.content
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<style nonce="{nonce}">'.encode() in page.content
    assert b'style="' not in page.content
