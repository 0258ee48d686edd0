"""A new patient signs up, verifies, logs a cramp in at most 3 taps and sees it in
history and in the chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from diary.models import SpasmEpisode
from tests.browser.conftest import axe_violations, screenshot, verification_code

pytestmark = [pytest.mark.browser]
PASSWORD = "a-long-test-password-42"


def test_sign_up_verify_log_a_cramp_and_see_it(new_page):
    page = new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "01-login")
    problems = axe_violations(page, "login")

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill("Pat Patient")
    page.get_by_label("Email").fill("pat@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "02-signup")
    problems += axe_violations(page, "signup")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    screenshot(page, "03-verify-email")
    page.get_by_label("Verification code").fill(verification_code("pat@example.com"))
    page.get_by_role("button", name="Confirm").click()

    log_button = page.get_by_role("button", name="Log a cramp now")
    expect(log_button).to_be_visible()
    screenshot(page, "04-home")
    problems += axe_violations(page, "home")

    # Three taps: muscle, severity, log.
    page.locator(".quick .chip", has_text="Thigh").click()
    page.locator(".quick .chip", has_text="7").click()
    log_button.click()
    expect(page.locator(".toast")).to_contain_text("saved")
    episode = SpasmEpisode.objects.get()
    assert (episode.muscle_group, episode.severity) == ("thigh", 7)
    assert episode.patient.email == "pat@example.com"
    assert episode.patient.time_zone == "Europe/London"  # the device's zone, sent at signup

    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    row = page.locator(f'.entry[data-id="{episode.id}"]')
    expect(row).to_contain_text("Thigh, severity 7/10")
    expect(row.locator(".badge")).to_have_count(0)  # stored: not pending
    screenshot(page, "05-history")
    problems += axe_violations(page, "history")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Charts").click()
    chart = page.get_by_test_id("spasm-chart")
    expect(chart.locator("canvas").first).to_be_visible()
    chart.locator("summary").click()
    expect(chart.locator("td.episodes", has_text="1")).to_have_count(1)
    screenshot(page, "06-charts")
    problems += axe_violations(page, "charts")

    # The choice is remembered: next time the same cramp is one tap.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.locator(".quick .chip.selected")).to_have_text(["Thigh", "7"])
    assert not problems, "\n".join(problems)
    assert not page.js_errors


def test_password_reset_by_code(new_page):
    from django.core import mail

    from tests.conftest import make_user

    make_user("rosa@example.com", name="Rosa")
    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    body = next(m.body for m in reversed(mail.outbox) if "rosa@example.com" in m.to)
    code = next(line.strip() for line in body.splitlines() if line.strip().isupper() and len(line.strip()) >= 6)
    page.get_by_label("Code from the email").fill(code)
    page.get_by_label("New password").fill("another-long-password-77")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".toast")).to_contain_text("password is changed")
    # allauth does not log in on reset here: the new password does.
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_label("Password").fill("another-long-password-77")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
