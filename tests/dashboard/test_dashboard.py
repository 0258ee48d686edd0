"""The clinician dashboard and the summaries behind it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AccessEvent, CareLink, InviteCode, User
from diary.dashboard import services as summaries
from diary.dashboard.tasks import refresh_due_summaries, refresh_patient_summaries
from diary.models import PatientSummary
from tests.conftest import assert_error, client_for, link, make_user
from tests.trend_data import checkin, dose, episode, lab_25ohd, regimen, save

pytestmark = pytest.mark.django_db


def today_of(patient):
    return timezone.localdate(timezone=patient.zone)


@pytest.fixture(autouse=True)
def broker_delay():
    # Refreshes are queued after commit; tests call the service directly instead.
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay") as delay:
        yield delay


def test_a_patient_row_shows_the_numbers_and_flags(patient, clinician_client):
    today = today_of(patient)
    plan = regimen(patient, today - timedelta(days=40))
    save(
        *[episode(patient, today - timedelta(days=d)) for d in (1, 2, 3)],
        *[episode(patient, today - timedelta(days=d)) for d in (30, 31)],
        *[dose(patient, today - timedelta(days=d), plan=plan) for d in range(10)],  # 10 of 28 daily doses
        checkin(patient, today),
    )  # fmt: skip
    lab_25ohd(patient, today - timedelta(days=20), 15.0, "deficient")
    summaries.summaries_refresh([patient.id])

    row = clinician_client.get("/api/v1/clinician/patients").json()["results"][0]
    assert row["patient"]["email"] == patient.email
    assert row["summary_status"] == "current"
    assert (row["last_reported_day"], row["days_since_last_report"]) == (today.isoformat(), 0)
    assert (row["episodes_last_28_days"], row["episodes_previous_28_days"]) == (3, 2)
    assert row["adherence_28_days"] == pytest.approx(10 / 28)
    assert row["latest_vitamin_d"] == {
        "value_ng_ml": 15.0,
        "category": "deficient",
        "collected_on": (today - timedelta(days=20)).isoformat(),
    }
    assert [f["code"] for f in row["flags"]] == ["low_adherence", "vitamin_d_below_20"]
    low = row["flags"][0]
    assert (low["regimen_id"], low["date"]) == (str(plan.id), today.isoformat())
    assert low["text"] == "vitamin D3 1,000 IU daily (maintenance): 10 of 28 doses taken in 28 days."
    assert row["flags"][1]["date"] == (today - timedelta(days=20)).isoformat()
    # The dashboard's verdict is the treatment-response endpoint's verdict.
    assert (
        row["verdict"]
        == clinician_client.get(f"/api/v1/clinician/patients/{patient.id}/trends/treatment-response").json()["verdict"]
    )


def test_flagged_patients_come_first_and_other_orderings(clinician, clinician_client, patient):
    quiet = make_user("quiet@example.com", name="Quinn")
    busy = make_user("busy@example.com", name="Bea")
    for person in (quiet, busy):
        link(person, clinician)
    today = today_of(patient)
    save(checkin(patient, today), checkin(busy, today), *[episode(busy, today - timedelta(days=d)) for d in range(5)])
    # quiet has logged nothing: flagged for no entries in 7 days.
    summaries.summaries_refresh([patient.id, quiet.id, busy.id])
    order = [r["patient"]["email"] for r in clinician_client.get("/api/v1/clinician/patients").json()["results"]]
    assert order == ["quiet@example.com", "alice@example.com", "busy@example.com"]
    order = [
        r["patient"]["email"]
        for r in clinician_client.get("/api/v1/clinician/patients?ordering=-episodes").json()["results"]
    ]
    assert order == ["busy@example.com", "alice@example.com", "quiet@example.com"]
    order = [
        r["patient"]["email"]
        for r in clinician_client.get("/api/v1/clinician/patients?ordering=name").json()["results"]
    ]
    assert order == ["alice@example.com", "busy@example.com", "quiet@example.com"]
    emails = lambda query: [  # noqa: E731
        r["patient"]["email"] for r in clinician_client.get(f"/api/v1/clinician/patients?{query}").json()["results"]
    ]
    assert emails("ordering=-name") == ["quiet@example.com", "busy@example.com", "alice@example.com"]
    # The longest silence first; a patient who never reported comes last in both directions.
    assert emails("ordering=last_report")[-1] == "quiet@example.com"
    assert emails("ordering=-last_report")[-1] == "quiet@example.com"
    assert emails("flag=no_reports_7_days") == ["quiet@example.com"]
    assert emails("search=QUIN") == ["quiet@example.com"]
    assert emails("search=busy@") == ["busy@example.com"]
    assert emails("flag=low_calcium") == []
    assert_error(clinician_client.get("/api/v1/clinician/patients?ordering=age"), 400, "invalid", ["ordering"])
    assert_error(clinician_client.get("/api/v1/clinician/patients?flag=sad"), 400, "invalid", ["flag"])


def test_a_diary_write_marks_the_summary_stale_and_queues_one_refresh(
    patient, patient_client, clinician_client, broker_delay, django_capture_on_commit_callbacks
):
    summaries.summaries_refresh([patient.id])
    body = {"id": str(uuid.uuid4()), "occurred_at": timezone.now().isoformat(), "muscle_group": "calf", "severity": 4}
    with django_capture_on_commit_callbacks(execute=True):
        patient_client.post("/api/v1/diary/episodes", body, format="json")
        patient_client.post("/api/v1/diary/episodes", body, format="json")  # a retry: unchanged
        patient_client.post("/api/v1/diary/episodes", {**body, "id": str(uuid.uuid4()), "severity": 5}, format="json")
    assert PatientSummary.objects.get(patient=patient).stale
    assert broker_delay.call_count == 1
    assert clinician_client.get("/api/v1/clinician/patients").json()["results"][0]["summary_status"] == "updating"
    refresh_patient_summaries([str(patient.id)])
    summary = PatientSummary.objects.get(patient=patient)
    assert (summary.stale, summary.episodes_last_28) == (False, 2)


def test_a_write_during_a_refresh_keeps_the_row_stale(patient):
    summaries.summaries_refresh([patient.id])
    real_compute = summaries.summary_compute

    def compute_then_write(person):
        result = real_compute(person)
        summaries.summary_mark_stale(person.id)  # lands while the numbers are being computed
        return result

    with mock.patch.object(summaries, "summary_compute", compute_then_write):
        still_stale = summaries.summaries_refresh([patient.id])
    assert still_stale == [patient.id]
    assert PatientSummary.objects.get(patient=patient).stale


def test_linked_patients_without_a_summary_are_queued_and_shown_as_updating(
    patient, clinician_client, broker_delay, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = clinician_client.get("/api/v1/clinician/patients").json()["results"][0]
    assert (row["summary_status"], row["verdict"], row["flags"]) == ("updating", None, [])
    assert broker_delay.call_args.args == ([str(patient.id)],)
    # Reloading the page does not queue the same refresh again: one message, not one per load.
    with django_capture_on_commit_callbacks(execute=True):
        clinician_client.get("/api/v1/clinician/patients")
    assert broker_delay.call_count == 1


def test_the_hourly_task_refreshes_rolled_over_stale_and_missing_summaries(patient, clinician, broker_delay):
    other = make_user("other@example.com")
    link(other, clinician)
    summaries.summaries_refresh([patient.id, other.id])
    PatientSummary.objects.filter(patient=other).update(as_of=today_of(other) - timedelta(days=1))
    third = make_user("third@example.com")
    link(third, clinician)
    make_user("loner@example.com")  # linked to nobody: no summary to keep
    gone = make_user("gone@example.com")
    account_services.care_link_revoke(patient=gone, link_id=link(gone, clinician).id)
    assert refresh_due_summaries() == 2
    queued = {pid for call in broker_delay.call_args_list for pid in call.args[0]}
    assert queued == {str(other.id), str(third.id)}


def _many_linked_patients(clinician: User, count: int) -> None:
    now = timezone.now()
    users = User.objects.bulk_create(
        [User(email=f"p{i}-{uuid.uuid4().hex[:6]}@example.com", name=f"P{i}") for i in range(count)]
    )
    invites = InviteCode.objects.bulk_create(
        [InviteCode(patient=u, code=uuid.uuid4().hex[:12].upper(), expires_at=now, redeemed_at=now) for u in users]
    )
    CareLink.objects.bulk_create(
        [CareLink(patient=u, clinician=clinician, invite=i) for u, i in zip(users, invites, strict=True)]
    )
    PatientSummary.objects.bulk_create(
        [
            PatientSummary(
                patient=u,
                as_of=today_of(u),
                computed_at=now,
                stale=False,
                last_reported_day=today_of(u),
                adherence_28=0.5 if i % 3 else None,
                flags=[{"code": "low_adherence", "date": None, "text": "x", "regimen_id": None}] if i % 3 else [],
                flag_count=1 if i % 3 else 0,
                flag_codes=" low_adherence " if i % 3 else "",
            )
            for i, u in enumerate(users)
        ]
    )


def test_the_dashboard_costs_the_same_queries_for_3_and_300_patients(other_clinician):
    client = client_for(other_clinician)
    _many_linked_patients(other_clinician, 3)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/clinician/patients").json()["results"]) == 3
    _many_linked_patients(other_clinician, 297)
    with CaptureQueriesContext(connection) as large:
        body = client.get("/api/v1/clinician/patients").json()
    assert (len(body["results"]), body["count"]) == (100, 300)  # a page of 100, sorted and cut in SQL
    assert len(small) == len(large), [q["sql"][:80] for q in large]
    assert [f["code"] for f in body["results"][0]["flags"]] == ["low_adherence"]


def test_the_dashboard_read_logs_one_event_per_patient_shown_in_one_insert(other_clinician):
    client = client_for(other_clinician)
    _many_linked_patients(other_clinician, 120)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/clinician/patients?page_size=100&ordering=name").json()
    shown = {row["patient"]["id"] for row in page["results"]}
    assert len(shown) == 100
    events = AccessEvent.objects.filter(clinician=other_clinician)
    assert {str(patient_id) for patient_id in events.values_list("patient_id", flat=True)} == shown
    assert set(events.values_list("resource", flat=True)) == {"dashboard"}
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "accounts_accessevent"')]
    assert len(inserts) == 1
    # Each patient's own access log shows the read.
    first = User.objects.get(id=next(iter(shown)))
    log = client_for(first).get("/api/v1/me/access-log").json()["results"]
    assert [(e["clinician"]["email"], e["resource"]) for e in log] == [(other_clinician.email, "dashboard")]


def test_dashboard_access(
    patient,
    clinician_client,
    other_clinician_client,
    revoked_clinician_client,
    patient_client,
    anon_client,
    stranger_client,
):
    summaries.summaries_refresh([patient.id])
    assert [r["patient"]["id"] for r in clinician_client.get("/api/v1/clinician/patients").json()["results"]] == [
        str(patient.id)
    ]
    assert other_clinician_client.get("/api/v1/clinician/patients").json()["results"] == []
    assert revoked_clinician_client.get("/api/v1/clinician/patients").json()["results"] == []
    assert_error(patient_client.get("/api/v1/clinician/patients"), 403, "clinician_only")
    assert_error(stranger_client.get("/api/v1/clinician/patients"), 403, "clinician_only")
    assert_error(anon_client.get("/api/v1/clinician/patients"), 401, "not_authenticated")
    no_mfa = make_user("nomfa@example.com", "clinician")
    assert_error(client_for(no_mfa).get("/api/v1/clinician/patients"), 403, "mfa_required")
