"""Every diary endpoint, tried by everyone the access rules talk about."""

from __future__ import annotations

import pytest

from accounts.models import AccessEvent
from diary.kinds import KINDS
from tests.conftest import assert_error
from tests.diary_payloads import KIND_PLURALS, payload

pytestmark = pytest.mark.django_db
KIND_NAMES = list(KINDS)


@pytest.fixture
def entry_of(patient_client):
    def make(kind: str) -> dict:
        extra = {}
        if kind == "skip":
            regimen = patient_client.post("/api/v1/diary/regimens", payload("regimen"), format="json").json()
            extra["regimen_id"] = regimen["id"]
        response = patient_client.post(f"/api/v1/diary/{KIND_PLURALS[kind]}", payload(kind, **extra), format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return make


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_anonymous_gets_401_everywhere(anon_client, patient, entry_of, kind):
    entry = entry_of(kind)
    plural = KIND_PLURALS[kind]
    assert_error(anon_client.get(f"/api/v1/diary/{plural}"), 401, "not_authenticated")
    assert_error(anon_client.post(f"/api/v1/diary/{plural}", payload(kind), format="json"), 401, "not_authenticated")
    assert_error(anon_client.get(f"/api/v1/diary/{plural}/{entry['id']}"), 401, "not_authenticated")
    assert_error(anon_client.delete(f"/api/v1/diary/{plural}/{entry['id']}"), 401, "not_authenticated")
    assert_error(anon_client.get(f"/api/v1/clinician/patients/{patient.id}/diary/{plural}"), 401, "not_authenticated")


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_the_owner_lists_reads_updates_and_deletes(patient_client, entry_of, kind):
    entry = entry_of(kind)
    plural = KIND_PLURALS[kind]
    listed = patient_client.get(f"/api/v1/diary/{plural}").json()
    assert [row["id"] for row in listed["results"]] == [entry["id"]]
    assert patient_client.get(f"/api/v1/diary/{plural}/{entry['id']}").json()["id"] == entry["id"]
    response = patient_client.patch(f"/api/v1/diary/{plural}/{entry['id']}", {"notes": "edited"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["notes"] == "edited"
    assert patient_client.delete(f"/api/v1/diary/{plural}/{entry['id']}").status_code == 204
    assert_error(patient_client.get(f"/api/v1/diary/{plural}/{entry['id']}"), 404, "not_found")


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_linked_clinician_reads_and_each_read_is_logged(patient, clinician, clinician_client, entry_of, kind):
    entry = entry_of(kind)
    plural = KIND_PLURALS[kind]
    base = f"/api/v1/clinician/patients/{patient.id}/diary/{plural}"
    assert [row["id"] for row in clinician_client.get(base).json()["results"]] == [entry["id"]]
    assert clinician_client.get(f"{base}/{entry['id']}").json() == entry | {"warnings": []}
    assert list(
        AccessEvent.objects.filter(patient=patient, clinician=clinician).values_list("resource", flat=True)
    ) == [plural, plural]


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_linked_clinician_cannot_write(patient, clinician_client, entry_of, kind):
    entry = entry_of(kind)
    plural = KIND_PLURALS[kind]
    base = f"/api/v1/clinician/patients/{patient.id}/diary/{plural}"
    assert_error(clinician_client.post(base, payload(kind), format="json"), 405, "method_not_allowed")
    assert_error(clinician_client.delete(f"{base}/{entry['id']}"), 405, "method_not_allowed")
    # The owner's path is the patient's own diary; a clinician has none.
    assert_error(clinician_client.post(f"/api/v1/diary/{plural}", payload(kind), format="json"), 403, "patient_only")
    assert_error(clinician_client.get(f"/api/v1/diary/{plural}/{entry['id']}"), 403, "patient_only")


@pytest.mark.parametrize("who", ["other_clinician_client", "revoked_clinician_client", "stranger_client"])
@pytest.mark.parametrize("kind", KIND_NAMES)
def test_nobody_else_sees_anything(request, patient, entry_of, who, kind):
    entry = entry_of(kind)
    client = request.getfixturevalue(who)
    plural = KIND_PLURALS[kind]
    base = f"/api/v1/clinician/patients/{patient.id}/diary/{plural}"
    assert_error(client.get(base), 404, "not_found")
    assert_error(client.get(f"{base}/{entry['id']}"), 404, "not_found")
    if who == "stranger_client":
        # On their own path a stranger sees only their own (empty) diary.
        assert client.get(f"/api/v1/diary/{plural}").json()["results"] == []
        assert_error(client.get(f"/api/v1/diary/{plural}/{entry['id']}"), 404, "not_found")
        assert_error(
            client.patch(f"/api/v1/diary/{plural}/{entry['id']}", {"notes": "x"}, format="json"), 404, "not_found"
        )
        assert_error(client.delete(f"/api/v1/diary/{plural}/{entry['id']}"), 404, "not_found")
    assert AccessEvent.objects.count() == 0


def test_sync_and_templates_access(anon_client, patient_client, clinician_client, stranger_client):
    item = {"kind": "episode", "id": payload("episode")["id"], "payload": payload("episode")}
    assert_error(anon_client.post("/api/v1/diary/sync", {"items": [item]}, format="json"), 401, "not_authenticated")
    assert_error(clinician_client.post("/api/v1/diary/sync", {"items": [item]}, format="json"), 403, "patient_only")
    assert patient_client.post("/api/v1/diary/sync", {"items": [item]}, format="json").json()["summary"]["created"] == 1
    # A stranger sending the same id cannot take or see the row.
    result = stranger_client.post("/api/v1/diary/sync", {"items": [item]}, format="json").json()["results"][0]
    assert (result["status"], result["code"], result["entry"]) == ("conflict", "id_taken", None)
    assert len(patient_client.get("/api/v1/diary/regimen-templates").json()) == 4
    assert_error(anon_client.get("/api/v1/diary/regimen-templates"), 401, "not_authenticated")


def test_regimen_from_template_is_for_the_patient_only(anon_client, patient_client, clinician_client, stranger_client):
    body = {"template": "maintenance_1000_daily", "start_date": "2026-10-01"}
    assert_error(
        anon_client.post("/api/v1/diary/regimens/from-template", body, format="json"), 401, "not_authenticated"
    )
    assert_error(
        clinician_client.post("/api/v1/diary/regimens/from-template", body, format="json"), 403, "patient_only"
    )
    created = patient_client.post("/api/v1/diary/regimens/from-template", body, format="json").json()
    # Another patient's own regimen list stays empty; the row is the owner's alone.
    assert stranger_client.get("/api/v1/diary/regimens").json()["results"] == []
    assert [r["id"] for r in patient_client.get("/api/v1/diary/regimens").json()["results"]] == [created["id"]]
