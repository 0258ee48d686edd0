"""Care team: the patient's invite code, a clinician who must set up two-factor first,
the dashboard, a read-only patient page, and a revoke that takes the patient away."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import AccessEvent, User
from tests.browser.conftest import axe_violations, log_in, screenshot, totp_now
from tests.conftest import PASSWORD, make_user
from tests.reminders_support import hm, make_reminder

pytestmark = [pytest.mark.browser]


def test_clinician_redeems_code_sees_patient_and_loses_them_on_revoke(new_page):
    alice = make_user("alice@example.com", name="Alice Patient", time_zone="Europe/London")
    # Signed up, as anyone can, and not yet verified by an operator.
    bob = make_user("bob@example.com", User.Role.CLINICIAN, name="Dr Bob", verified=False)
    make_reminder(
        alice, now=timezone.now(), local_time=hm("07:30"), weekdays=[1, 3], channel="email", label="Magnesium"
    )
    problems: list[str] = []

    patient = new_page()
    patient.on("dialog", lambda dialog: dialog.accept())
    log_in(patient, alice.email, PASSWORD)
    expect(patient.get_by_role("button", name="Log a cramp now")).to_be_visible()
    patient.get_by_role("navigation", name="Main").get_by_role("link", name="Care team").click()
    patient.get_by_role("button", name="Create an invite code").click()
    code = patient.get_by_test_id("invite-code").inner_text().strip()
    assert len(code) >= 6
    screenshot(patient, "08-care-team-invite")
    problems += axe_violations(patient, "care team")

    clinician = new_page()
    log_in(clinician, "bob@example.com", PASSWORD)
    # No patient data before two-factor: the app goes straight to the setup.
    expect(clinician.get_by_role("heading", name="Turn on two-factor authentication")).to_be_visible()
    secret = clinician.get_by_test_id("totp-secret").inner_text().strip()
    screenshot(clinician, "09-clinician-2fa-setup")
    problems += axe_violations(clinician, "2fa setup")
    clinician.get_by_label("6-digit code").fill(totp_now(secret))
    clinician.get_by_role("button", name="Turn on").click()
    # allauth asks for the password again before adding an authenticator.
    expect(clinician.get_by_role("alert")).to_contain_text("type your password again")
    clinician.get_by_label("Password").fill(PASSWORD)
    clinician.get_by_role("button", name="Turn on").click()

    # The recovery codes allauth made with the authenticator, shown once before moving on.
    expect(clinician.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = clinician.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).not_to_have_count(0)
    assert all(c.strip().isdigit() for c in codes.all_inner_texts())
    problems += axe_violations(clinician, "recovery codes")
    clinician.get_by_role("button", name="I have saved these").click()

    expect(clinician.get_by_role("heading", name="Your patients")).to_be_visible()
    clinician.get_by_label("Invite code from the patient").fill(code)
    clinician.get_by_role("button", name="Link patient").click()
    table = clinician.get_by_test_id("patients-table")
    expect(table.get_by_role("link", name="Alice Patient")).to_be_visible()
    screenshot(clinician, "10-clinician-dashboard")
    problems += axe_violations(clinician, "dashboard")

    table.get_by_role("link", name="Alice Patient").click()
    expect(clinician.get_by_role("heading", name="Alice Patient")).to_be_visible()
    expect(clinician.get_by_test_id("spasm-chart")).to_be_visible()
    reminders = clinician.get_by_role("region", name="Reminders")
    expect(reminders).to_contain_text("07:30")
    expect(reminders).to_contain_text("Magnesium")
    expect(reminders).to_contain_text("Mon, Wed")
    expect(reminders).to_contain_text("Email")
    expect(reminders.locator(".badge")).to_have_text("Reminder On")
    screenshot(clinician, "11-clinician-patient")
    problems += axe_violations(clinician, "patient page")
    assert AccessEvent.objects.filter(patient=alice).exists()

    patient.reload()
    link = patient.get_by_test_id("care-link")
    expect(link).to_contain_text("Dr Bob")
    expect(link.get_by_test_id("not-verified")).to_have_text("not verified")
    expect(patient.get_by_text("Dr Bob read")).not_to_have_count(0)  # the access log
    # Once an operator has verified him, the mark goes.
    account_services.clinician_verify(clinician=bob)
    patient.reload()
    expect(patient.get_by_test_id("care-link")).to_contain_text("Dr Bob")
    expect(patient.get_by_test_id("not-verified")).to_have_count(0)
    link.get_by_role("button", name="Revoke access for Dr Bob").click()
    expect(patient.get_by_test_id("care-link")).to_have_count(0)

    clinician.goto("/clinician")
    expect(clinician.get_by_text("No linked patients yet")).to_be_visible()
    # The codes can be shown again from settings.
    clinician.goto("/settings")
    clinician.get_by_role("button", name="Show recovery codes").click()
    expect(clinician.get_by_role("list", name="Recovery codes").get_by_role("listitem")).not_to_have_count(0)
    expect(clinician.get_by_role("link", name="Alice Patient")).to_have_count(0)
    assert not problems, "\n".join(problems)
    assert not patient.js_errors and not clinician.js_errors
