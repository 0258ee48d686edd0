"""Exports over the API: who may ask and download, the CSV and JSON files, the worker's
progress and the files' retention."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessEvent
from diary.exports import services, tasks
from diary.exports.models import ExportJob
from tests.conftest import assert_error
from tests.known_diary import known_diary

pytestmark = pytest.mark.django_db


def _download(client, job: dict) -> bytes:
    response = client.get(job["download_url"])
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["csv", "json", "fhir"])
def test_the_owner_exports_and_downloads(patient, patient_client, fmt):
    known_diary(patient)
    response = patient_client.post("/api/v1/exports", {"format": fmt}, format="json")
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["status"], job["done"], job["total"]) == ("done", 19, 19)
    assert job["download_url"] == f"/api/v1/exports/{job['id']}/download"
    body = _download(patient_client, job)
    assert len(body) == job["size_bytes"]
    assert patient_client.get(f"/api/v1/exports/{job['id']}").json()["status"] == "done"
    assert [j["id"] for j in patient_client.get("/api/v1/exports").json()["results"]] == [job["id"]]


def test_the_csv_zip_has_one_file_per_kind_with_units_local_times_and_a_bom(patient, patient_client):
    diary = known_diary(patient)
    job = patient_client.post("/api/v1/exports", {"format": "csv"}, format="json").json()
    archive = zipfile.ZipFile(io.BytesIO(_download(patient_client, job)))
    assert sorted(archive.namelist()) == [
        "README.txt",
        "checkins.csv",
        "doses.csv",
        "episodes.csv",
        "labs.csv",
        "regimens.csv",
        "skips.csv",
        "sun.csv",
    ]
    raw = archive.read("episodes.csv")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert "severity (0-10)" in rows[0] and "duration (s)" in rows[0]
    first = rows[0]
    assert first["id"] == str(diary["episodes"][0].id)
    assert (first["local_date"], first["local_time (HH:MM)"], first["time_zone"]) == (
        "2025-02-10",
        "03:40",
        "Europe/London",
    )
    assert first["occurred_at (UTC)"] == "2025-02-10T03:40:00+00:00"
    assert first["notes"] == "réveillée la nuit"
    assert first["during_sleep (yes/no)"] == "yes"
    labs = list(csv.DictReader(io.StringIO(archive.read("labs.csv").decode("utf-8-sig"))))
    assert [(r["analyte"], r["value"], r["unit"]) for r in labs][:2] == [
        ("vitamin_d_25oh", "14", "ng/mL"),
        ("calcium", "2.1", "mmol/L"),
    ]
    skips = list(csv.DictReader(io.StringIO(archive.read("skips.csv").decode("utf-8-sig"))))
    assert [(r["local_date"], r["reason"], r["regimen_id"]) for r in skips] == [
        ("2025-05-04", "forgot", str(diary["regimens"][1].id))
    ]
    assert "Alice" in archive.read("README.txt").decode()


def test_the_json_export_uses_the_apis_own_shapes_and_a_format_version(patient, patient_client):
    diary = known_diary(patient)
    job = patient_client.post("/api/v1/exports", {"format": "json"}, format="json").json()
    document = json.loads(_download(patient_client, job))
    assert (document["format"], document["format_version"]) == ("spasm-diary", 1)
    assert document["patient"]["time_zone"] == "Europe/London"
    episode = patient_client.get(f"/api/v1/diary/episodes/{diary['episodes'][0].id}").json()
    assert document["episodes"][0] == episode
    keys = ("regimens", "episodes", "checkins", "sun", "doses", "skips", "labs")
    assert {key: len(document[key]) for key in keys} == {
        "regimens": 2,
        "episodes": 3,
        "checkins": 3,
        "sun": 1,
        "doses": 2,
        "skips": 1,
        "labs": 7,
    }


def test_a_linked_clinician_exports_read_only_and_every_call_is_logged(patient, clinician, clinician_client):
    known_diary(patient)
    base = f"/api/v1/clinician/patients/{patient.id}/exports"
    job = clinician_client.post(base, {"format": "fhir"}, format="json").json()
    assert job["download_url"] == f"{base}/{job['id']}/download"
    assert json.loads(_download(clinician_client, job))["resourceType"] == "Bundle"
    assert clinician_client.get(f"{base}/{job['id']}").status_code == 200
    assert AccessEvent.objects.filter(patient=patient, clinician=clinician, resource="export").count() == 3
    # The clinician's own path is a patient's; a clinician keeps no diary to export.
    assert_error(clinician_client.post("/api/v1/exports", {"format": "csv"}, format="json"), 403, "patient_only")


def test_only_the_requester_sees_or_downloads_a_job(
    patient, patient_client, clinician_client, other_clinician_client, revoked_clinician_client, stranger_client
):
    known_diary(patient)
    own = patient_client.post("/api/v1/exports", {"format": "csv"}, format="json").json()
    base = f"/api/v1/clinician/patients/{patient.id}/exports"
    # The linked clinician cannot reach the patient's own job through their path.
    assert_error(clinician_client.get(f"{base}/{own['id']}"), 404, "not_found")
    assert_error(clinician_client.get(f"{base}/{own['id']}/download"), 404, "not_found")
    assert clinician_client.get(base).json()["results"] == []
    for client in (other_clinician_client, revoked_clinician_client):
        assert_error(client.post(base, {"format": "csv"}, format="json"), 404, "not_found")
        assert_error(client.get(f"{base}/{own['id']}/download"), 404, "not_found")
    # A stranger patient: their own path shows their own (no) jobs.
    assert_error(stranger_client.get(f"/api/v1/exports/{own['id']}"), 404, "not_found")
    assert_error(stranger_client.get(f"/api/v1/exports/{own['id']}/download"), 404, "not_found")
    assert stranger_client.get("/api/v1/exports").json()["results"] == []
    assert AccessEvent.objects.exclude(clinician__email="bob@example.com").count() == 0


def test_a_clinician_loses_the_download_with_the_link(patient, clinician, clinician_client):
    from accounts.models import CareLink
    from accounts.services import care_link_revoke

    base = f"/api/v1/clinician/patients/{patient.id}/exports"
    job = clinician_client.post(base, {"format": "json"}, format="json").json()
    care_link_revoke(patient=patient, link_id=CareLink.objects.get(clinician=clinician).id)
    assert_error(clinician_client.get(job["download_url"]), 404, "not_found")


def test_anonymous_gets_401(anon_client, patient):
    assert_error(anon_client.post("/api/v1/exports", {"format": "csv"}, format="json"), 401, "not_authenticated")
    assert_error(anon_client.get("/api/v1/exports"), 401, "not_authenticated")
    assert_error(
        anon_client.post(f"/api/v1/clinician/patients/{patient.id}/exports", {"format": "csv"}, format="json"),
        401,
        "not_authenticated",
    )


def test_a_bad_format_is_refused_and_writes_nothing(patient_client):
    assert_error(patient_client.post("/api/v1/exports", {"format": "xml"}, format="json"), 400, "invalid", ["format"])
    assert_error(patient_client.post("/api/v1/exports", {}, format="json"), 400, "invalid", ["format"])
    assert ExportJob.objects.count() == 0


def test_a_large_export_is_queued_and_the_worker_reports_progress(
    patient, patient_client, settings, django_capture_on_commit_callbacks
):
    known_diary(patient)
    settings.EXPORT_SYNC_MAX_ROWS = 5
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = patient_client.post("/api/v1/exports", {"format": "csv"}, format="json")
    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["done"], job["total"], job["download_url"]) == ("queued", 0, 19, None)
    assert len(callbacks) == 1  # the worker is asked only after the job is committed
    assert_error(patient_client.get(f"/api/v1/exports/{job['id']}/download"), 409, "not_ready")

    tasks.build_export(job["id"])
    tasks.build_export(job["id"])  # a redelivered message does nothing
    done = patient_client.get(f"/api/v1/exports/{job['id']}").json()
    assert (done["status"], done["done"], done["total"]) == ("done", 19, 19)
    assert zipfile.ZipFile(io.BytesIO(_download(patient_client, done))).testzip() is None


def test_progress_moves_while_a_big_export_is_written(patient, settings, monkeypatch):
    from diary.exports import formats

    known_diary(patient)
    monkeypatch.setattr(formats, "CHUNK", 2)
    settings.EXPORT_SYNC_MAX_ROWS = 0
    job = services.export_request(requested_by=patient, patient=patient, format="json")
    progress = []

    def record(**kwargs):
        if "done" in kwargs and "status" not in kwargs:
            progress.append(kwargs["done"])

    original_filter = ExportJob.objects.filter

    class Spy:
        def __init__(self, query):
            self.query = query

        def update(self, **kwargs):
            record(**kwargs)
            return self.query.update(**kwargs)

        def __getattr__(self, name):
            return getattr(self.query, name)

    monkeypatch.setattr(ExportJob.objects, "filter", lambda *a, **k: Spy(original_filter(*a, **k)))
    services.export_build(export_id=job.id)
    assert progress == sorted(progress) and len(progress) >= 8
    assert progress[-1] == 19


def test_expired_files_are_deleted_by_the_beat_task(patient, patient_client):
    known_diary(patient)
    job = patient_client.post("/api/v1/exports", {"format": "json"}, format="json").json()
    stored = ExportJob.objects.get(id=job["id"])
    path = stored.file.path
    assert stored.expires_at - stored.finished_at == timedelta(hours=24)
    assert tasks.delete_expired_exports() == {"exports": 0, "uploads": 0}
    ExportJob.objects.filter(id=stored.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.delete_expired_exports() == {"exports": 1, "uploads": 0}
    assert not __import__("os").path.exists(path)
    assert_error(patient_client.get(job["download_url"]), 404, "not_found")
