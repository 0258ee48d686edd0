"""The demo data `make run` seeds, and the TOTP helper that must never work in production."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.demo import DEMO_CLINICIAN_EMAIL, DEMO_PASSWORD, DEMO_PATIENT_EMAIL
from accounts.models import CareLink, User
from diary.demo_clinic import STORIES
from diary.models import DailyCheckin, LabResult, SpasmEpisode, SunExposure, SupplementDose, SupplementRegimen
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_linked_pair_with_months_of_realistic_data():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert DEMO_PATIENT_EMAIL in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    patient = User.objects.get(email=DEMO_PATIENT_EMAIL)
    clinician = User.objects.get(email=DEMO_CLINICIAN_EMAIL)
    assert CareLink.objects.active().filter(patient=patient, clinician=clinician).exists()
    assert SupplementRegimen.objects.filter(patient=patient, supplement="vitamin_d3").count() == 2
    assert SpasmEpisode.objects.filter(patient=patient).count() > 40
    assert DailyCheckin.objects.filter(patient=patient, no_cramps=True).count() > 60
    assert SunExposure.objects.filter(patient=patient).count() > 40
    assert SupplementDose.objects.filter(patient=patient).count() > 60
    d25 = list(
        LabResult.objects.filter(patient=patient, analyte="vitamin_d_25oh")
        .order_by("collected_on")
        .values_list("category", flat=True)
    )
    assert d25 == ["deficient", "sufficient"]
    first = SpasmEpisode.objects.filter(patient=patient).earliest("local_date").local_date
    last = SpasmEpisode.objects.filter(patient=patient).latest("local_date").local_date
    assert (last - first).days > 150

    from diary.models import PatientSummary
    from diary.reminders.models import Reminder

    reminders = Reminder.objects.filter(patient=patient, enabled=True)
    assert sorted(r.regimen.supplement for r in reminders) == ["magnesium", "vitamin_d3"]
    assert all(r.next_fire_at is not None for r in reminders)
    assert PatientSummary.objects.get(patient=patient).stale is False

    # Running it again (every `make run` does) adds nothing.
    count = SpasmEpisode.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert SpasmEpisode.objects.count() == count
    assert User.objects.count() == 2 + len(STORIES)


def test_the_demo_logins_work_and_the_totp_code_is_accepted():
    call_command("seed_demo", stdout=io.StringIO())
    from django.test import Client

    client = Client()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": DEMO_CLINICIAN_EMAIL, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401  # two-factor pending
    assert [f["id"] for f in response.json()["data"]["flows"] if f.get("is_pending")] == ["mfa_authenticate"]
    token = response.json()["meta"]["session_token"]
    out = io.StringIO()
    call_command("demo_totp", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    response = client.post(
        "/_allauth/app/v1/auth/2fa/authenticate",
        {"code": code},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert response.status_code == 200, response.content
    patients = client.get(
        "/api/v1/clinician/patients", HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"]
    ).json()["results"]
    assert sorted(row["patient"]["email"] for row in patients) == sorted(
        [DEMO_PATIENT_EMAIL, *(s.email for s in STORIES)]
    )


def test_demo_commands_are_refused_outside_demo_settings():
    with override_settings(DEMO_ACCOUNTS_ENABLED=False):
        with pytest.raises(CommandError, match="disabled"):
            call_command("seed_demo", stdout=io.StringIO())
        with pytest.raises(CommandError, match="disabled"):
            call_command("demo_totp", stdout=io.StringIO())
    assert not User.objects.exists()


def test_demo_totp_only_prints_demo_accounts(db):
    with pytest.raises(CommandError, match="Only demo accounts"):
        call_command("demo_totp", "--email", "someone@example.com", stdout=io.StringIO())


def test_the_demo_patient_reads_their_diary():
    call_command("seed_demo", stdout=io.StringIO())
    response = client_for(User.objects.get(email=DEMO_PATIENT_EMAIL)).get("/api/v1/diary/episodes?page_size=5")
    assert len(response.json()["results"]) == 5


def test_the_demo_clinic_tells_its_stories_without_contradictions():
    from diary.models import PatientSummary

    call_command("seed_demo", stdout=io.StringIO())
    for checkin in DailyCheckin.objects.filter(no_cramps=True):
        assert not SpasmEpisode.objects.filter(patient_id=checkin.patient_id, local_date=checkin.local_date).exists()
    summaries = {s.patient.email: s for s in PatientSummary.objects.select_related("patient")}
    assert len(summaries) == 1 + len(STORIES)
    flags = {email: {f["code"] for f in s.flags} for email, s in summaries.items()}
    assert "high_single_dose" in flags["grace@demo.test"]
    assert "vitamin_d_above_100" in flags["henry@demo.test"]
    assert "high_calcium_on_supplementation" in flags["henry@demo.test"]
    assert {"retest_due", "no_maintenance_after_loading"} <= flags["isla@demo.test"]
    assert "secondary_hyperparathyroidism_pattern" in flags["omar@demo.test"]
    assert "no_reports_7_days" in flags["zoe@demo.test"]
    assert "low_adherence" in flags["ethan@demo.test"]
    verdicts = {email: s.verdict for email, s in summaries.items()}
    assert verdicts["noah@demo.test"] == "improved"
    assert verdicts["ava@demo.test"] == "not_enough_data"
    assert verdicts["olivia@demo.test"] == "no_clear_change"
