"""The write path: one transaction with the fewest statements, and a committed write is
never turned into an error by the broker."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from diary.dashboard.services import summaries_refresh
from diary.models import PatientSummary, SpasmEpisode
from tests.conftest import PASSWORD, require_postgres
from tests.diary_payloads import payload

pytestmark = pytest.mark.django_db


def token_for(user) -> str:
    response = Client().post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    return response.json()["meta"]["session_token"]


def test_an_episode_post_runs_at_most_six_queries(patient, clinician):
    require_postgres()
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        summaries_refresh([patient.id])  # a linked patient: her summary row is marked stale too
    token = token_for(patient)
    client = Client()
    client.get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)  # the session is in the cache now
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/diary/episodes", payload("episode"), content_type="application/json", HTTP_X_SESSION_TOKEN=token
        )
    assert response.status_code == 201, response.content
    # SAVEPOINT / RELEASE are the test's own transaction around the request: in production
    # the request's transaction is a plain BEGIN ... COMMIT, which are not queries.
    statements = [q["sql"].split()[0] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # The user; then, in one transaction: the episode, the "no cramps" it may clear, its
    # reported day, and the summary's stale mark (one UPDATE that also says if it was fresh).
    assert statements == ["SELECT", "INSERT", "UPDATE", "INSERT", "UPDATE"], [q["sql"][:80] for q in queries]
    assert PatientSummary.objects.get(patient=patient).stale is True


def test_a_retried_post_writes_nothing(patient, patient_client):
    body = payload("episode")
    assert patient_client.post("/api/v1/diary/episodes", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert patient_client.post("/api/v1/diary/episodes", body, format="json").status_code == 200
    # The insert is tried (the common case needs no look-up first), refused by the key, rolled
    # back; the stored row is answered. Nothing is updated or marked stale.
    assert not [q for q in queries if q["sql"].startswith(("UPDATE", "DELETE"))]
    assert SpasmEpisode.objects.count() == 1


def test_a_broker_outage_never_turns_a_committed_write_into_a_500(
    patient, clinician, patient_client, django_capture_on_commit_callbacks
):
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        summaries_refresh([patient.id])  # fresh: the next write queues a refresh
    broken = mock.patch(
        "diary.dashboard.tasks.refresh_patient_summaries.delay", side_effect=OperationalError("broker down")
    )
    with broken as delay, django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post("/api/v1/diary/episodes", payload("episode"), format="json")
    assert delay.called  # it was tried, failed, and was logged
    assert response.status_code == 201
    assert SpasmEpisode.objects.count() == 1
    # Not lost: the row stays stale and the hourly refresh finds it.
    assert PatientSummary.objects.get(patient=patient).stale is True
