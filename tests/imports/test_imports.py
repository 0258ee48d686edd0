"""Imports: the product's JSON export round-trips into a fresh account, the CSV layout,
per-row errors, idempotent re-imports, access, and a 10,000-row file."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from diary.imports import tasks
from diary.imports.layout import COLUMNS
from diary.imports.models import ImportJob
from diary.kinds import KINDS
from diary.models import DailyCheckin, LabResult, ReportedDay, SpasmEpisode, SupplementDose
from tests.conftest import assert_error, client_for, make_user
from tests.known_diary import known_diary

pytestmark = pytest.mark.django_db

# What an entry is, without its identity or bookkeeping: compared field by field.
SKIP = {"id", "patient", "created_at", "updated_at", "regimen"}


def upload(client, name: str, content: bytes, captured, **extra):
    """POST the file; run the worker the way the committed transaction would."""
    with captured(execute=False) as callbacks:
        response = client.post("/api/v1/imports", {"file": named(name, content), **extra}, format="multipart")
    if response.status_code == 202:
        assert len(callbacks) == 1
        tasks.run_import(response.json()["id"])
        return client.get(f"/api/v1/imports/{response.json()['id']}").json()
    return response


def named(name: str, data: bytes) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def content(row, model) -> dict:
    data = {f.name: getattr(row, f.name) for f in model._meta.concrete_fields if f.name not in SKIP}
    return data


def rows_of(patient, kind: str) -> list[dict]:
    model = KINDS[kind].model
    ordering = [name.lstrip("-") for name in KINDS[kind].ordering]
    return [content(row, model) for row in model.objects.filter(patient=patient).order_by(*ordering)]


def test_export_then_import_into_a_fresh_account_gives_the_same_rows(
    patient, patient_client, django_capture_on_commit_callbacks
):
    diary = known_diary(patient)
    job = patient_client.post("/api/v1/exports", {"format": "json"}, format="json").json()
    exported = b"".join(patient_client.get(job["download_url"]).streaming_content)

    fresh = make_user("alice.new@example.com", name="Alice", time_zone="Europe/London")
    fresh_client = client_for(fresh)
    result = upload(fresh_client, "spasm-diary.json", exported, django_capture_on_commit_callbacks)
    assert (result["status"], result["total"], result["done"]) == ("done", 19, 19)
    assert (result["created"], result["unchanged"], result["failed"], result["errors"]) == (19, 0, 0, [])

    for kind in KINDS:
        assert rows_of(fresh, kind) == rows_of(patient, kind), kind
    # The dose still points at its regimen: the fresh account's copy of it.
    copied_dose = SupplementDose.objects.get(patient=fresh, supplement="vitamin_d3")
    assert copied_dose.regimen.patient_id == fresh.id
    assert copied_dose.regimen.start_date == diary["regimens"][0].start_date
    assert set(ReportedDay.objects.filter(patient=fresh).values_list("local_date", flat=True)) == set(
        ReportedDay.objects.filter(patient=patient).values_list("local_date", flat=True)
    )

    again = upload(fresh_client, "spasm-diary.json", exported, django_capture_on_commit_callbacks)
    assert (again["created"], again["unchanged"], again["failed"]) == (0, 19, 0)
    # Into the account it came from: every row is its own, nothing is added.
    own = upload(patient_client, "spasm-diary.json", exported, django_capture_on_commit_callbacks)
    assert (own["created"], own["unchanged"], own["failed"]) == (0, 19, 0)
    assert SpasmEpisode.objects.count() == 6


CSV_TEXT = """kind,date,time,muscle_group,side,severity,duration_seconds,during_sleep,trigger,fatigue,no_cramps,supplement,amount,unit,analyte,value,notes
episode,2025-02-10,03:40,calf,left,7,120,yes,night,,,,,,,,woke me up
checkin,2025-02-11,,,,,,,,4,yes,,,,,,
dose,2025-03-03,08:00,,,,,,,,,vitamin_d3,50000,IU,,,
lab,2025-02-01,,,,,,,,,,,,ng/mL,vitamin_d_25oh,14,
episodes,2025-02-12,18:05,back,,4,,,exercise,,,,,,,,
"""


def test_a_csv_in_the_documented_layout_imports_and_again_creates_nothing(
    patient, patient_client, django_capture_on_commit_callbacks
):
    result = upload(patient_client, "notes.csv", CSV_TEXT.encode(), django_capture_on_commit_callbacks)
    assert (result["status"], result["total"], result["created"], result["failed"]) == ("done", 5, 5, 0)
    episode = SpasmEpisode.objects.get(patient=patient, muscle_group="calf")
    assert (episode.occurred_at.isoformat(), episode.severity, episode.during_sleep, episode.notes) == (
        "2025-02-10T03:40:00+00:00",
        7,
        True,
        "woke me up",
    )
    assert DailyCheckin.objects.get(patient=patient).no_cramps is True
    lab = LabResult.objects.get(patient=patient)
    assert (lab.value_normalised, lab.category) == (14.0, "deficient")
    again = upload(patient_client, "notes.csv", CSV_TEXT.encode(), django_capture_on_commit_callbacks)
    assert (again["created"], again["unchanged"], again["failed"]) == (0, 5, 0)
    # The same entry with another severity is reported, not added.
    changed = CSV_TEXT.replace("calf,left,7", "calf,left,8").encode()
    third = upload(patient_client, "notes.csv", changed, django_capture_on_commit_callbacks)
    assert (third["created"], third["unchanged"], third["failed"]) == (0, 4, 1)
    assert third["errors"][0]["row"] == 2 and "other values" in third["errors"][0]["reason"]
    assert SpasmEpisode.objects.filter(patient=patient).count() == 2


def test_each_bad_row_is_reported_and_its_neighbours_are_stored(
    patient, patient_client, django_capture_on_commit_callbacks
):
    text = """kind,date,time,muscle_group,severity,supplement,amount,unit,analyte,value,during_sleep
episode,2025-02-10,03:40,calf,4,,,,,,
episode,2025-02-10,03:50,calf,11,,,,,,
episode,2025-02-11,25:00,calf,3,,,,,,
dose,2025-02-11,08:00,,,vitamin_d3,2000000,IU,,,
lab,2025-02-01,,,,,,mg/dL,vitamin_d_25oh,14,
episode,2025-02-12,04:00,calf,5,,,,,,maybe
sneeze,2025-02-12,,,,,,,,,
episode,2025-02-13,04:00,calf,5,,,,,,
"""
    result = upload(patient_client, "bad.csv", text.encode(), django_capture_on_commit_callbacks)
    assert (result["status"], result["total"], result["created"], result["failed"]) == ("done", 8, 2, 6)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (3, "severity"),
        (4, "time"),
        (5, "amount"),
        (6, "unit"),
        (7, "during_sleep"),
        (8, "kind"),
    ]
    assert all(e["reason"] for e in result["errors"])
    assert sorted(SpasmEpisode.objects.filter(patient=patient).values_list("local_date", flat=True)) == [
        date(2025, 2, 10),
        date(2025, 2, 13),
    ]
    assert not SupplementDose.objects.exists() and not LabResult.objects.exists()
    # A refused row leaves no trace: not even its day counts as reported.
    assert sorted(ReportedDay.objects.filter(patient=patient).values_list("local_date", flat=True)) == [
        date(2025, 2, 10),
        date(2025, 2, 13),
    ]


@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        ("empty.csv", b"", "invalid"),
        ("typo.csv", b"kind,date,severty\nepisode,2025-01-01,3\n", "unknown_columns"),
        ("nokind.csv", b"date,severity\n2025-01-01,3\n", "missing_columns"),
        ("latin1.csv", "kind,date,notes\nepisode,2025-01-01,caf\xe9\n".encode("latin-1"), "invalid_file"),
        ("other.json", b'{"resourceType": "Bundle"}', "unknown_format"),
        ("broken.json", b'{"format": "spasm-diary", ', "invalid_file"),
        ("future.json", b'{"format": "spasm-diary", "format_version": 9}', "unsupported_version"),
    ],
)
def test_an_unreadable_file_is_refused_at_once_and_nothing_is_written(
    patient_client, django_capture_on_commit_callbacks, name, body, code
):
    response = upload(patient_client, name, body, django_capture_on_commit_callbacks)
    error = assert_error(response, 400, fields=["file"] if code != "invalid" else None)
    if code != "invalid":
        assert error["code"] == code
    assert not ImportJob.objects.exists()
    assert not SpasmEpisode.objects.exists()


def test_a_request_without_a_file_is_refused(patient_client):
    assert_error(patient_client.post("/api/v1/imports", {}, format="multipart"), 400, "invalid", ["file"])
    assert not ImportJob.objects.exists()


def test_who_may_import_and_read_the_jobs(
    patient,
    patient_client,
    anon_client,
    clinician_client,
    other_clinician_client,
    stranger_client,
    django_capture_on_commit_callbacks,
):
    job = upload(patient_client, "notes.csv", CSV_TEXT.encode(), django_capture_on_commit_callbacks)
    assert_error(
        anon_client.post("/api/v1/imports", {"file": named("a.csv", b"x")}, format="multipart"),
        401,
        "not_authenticated",
    )
    assert_error(anon_client.get(f"/api/v1/imports/{job['id']}"), 401, "not_authenticated")
    for client in (clinician_client, other_clinician_client):
        response = client.post("/api/v1/imports", {"file": named("a.csv", CSV_TEXT.encode())}, format="multipart")
        assert_error(response, 403, "patient_only")
        assert_error(client.get(f"/api/v1/imports/{job['id']}"), 403, "patient_only")
    # No clinician path exists: a clinician never writes into a patient's diary.
    assert clinician_client.post(f"/api/v1/clinician/patients/{patient.id}/imports").status_code == 404
    assert_error(stranger_client.get(f"/api/v1/imports/{job['id']}"), 404, "not_found")
    assert stranger_client.get("/api/v1/imports").json()["results"] == []
    assert [j["id"] for j in patient_client.get("/api/v1/imports").json()["results"]] == [job["id"]]


def test_the_template_downloads_and_imports_as_it_is(patient_client, anon_client, django_capture_on_commit_callbacks):
    response = patient_client.get("/api/v1/imports/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == list(COLUMNS)
    result = upload(patient_client, "template.csv", response.content, django_capture_on_commit_callbacks)
    assert (result["created"], result["failed"]) == (4, 0)
    assert_error(anon_client.get("/api/v1/imports/template.csv"), 401, "not_authenticated")


def ten_thousand_rows(start: date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "date", "time", "muscle_group", "side", "severity", "fatigue", "no_cramps"])
    for i in range(10_000):
        day = start + timedelta(days=i // 4)
        if i % 4 == 3:
            writer.writerow(["checkin", day.isoformat(), "", "", "", "", i % 10, "no"])
        else:
            writer.writerow(
                ["episode", day.isoformat(), f"{(i % 4) * 7 + 1:02d}:{i % 60:02d}", "calf", "left", i % 11, "", ""]
            )
    return out.getvalue().encode()


@pytest.mark.slow
def test_a_10000_row_csv_reports_progress_and_the_right_counts(
    patient, patient_client, django_capture_on_commit_callbacks, monkeypatch
):
    from diary.imports import services

    body = ten_thousand_rows(date(2010, 1, 1))
    seen: list[int] = []
    real_store = services.import_store

    def watching(*, job, **kwargs):
        real_store(job=job, **kwargs)
        seen.append(ImportJob.objects.get(id=job.id).done)

    monkeypatch.setattr(services, "import_store", watching)
    result = upload(patient_client, "big.csv", body, django_capture_on_commit_callbacks)
    assert (result["status"], result["total"], result["done"]) == ("done", 10_000, 10_000)
    assert (result["created"], result["unchanged"], result["failed"]) == (10_000, 0, 0)
    assert seen == list(range(500, 10_001, 500))
    assert SpasmEpisode.objects.filter(patient=patient).count() == 7_500
    assert DailyCheckin.objects.filter(patient=patient).count() == 2_500
    again = upload(patient_client, "big.csv", body, django_capture_on_commit_callbacks)
    assert (again["created"], again["unchanged"]) == (0, 10_000)


def test_json_rows_that_fail_are_reported_by_position(patient, patient_client, django_capture_on_commit_callbacks):
    known_diary(patient)
    job = patient_client.post("/api/v1/exports", {"format": "json"}, format="json").json()
    document = json.loads(b"".join(patient_client.get(job["download_url"]).streaming_content))
    document["episodes"][1]["severity"] = 12
    fresh = make_user("alice.new@example.com", time_zone="Europe/London")
    result = upload(client_for(fresh), "x.json", json.dumps(document).encode(), django_capture_on_commit_callbacks)
    assert (result["created"], result["failed"]) == (18, 1)
    assert result["errors"] == [
        {"row": 4, "kind": "episode", "column": "severity", "reason": "Ensure this value is less than or equal to 10."}
    ]
