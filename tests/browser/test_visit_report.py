"""The patient's "Report for my doctor": the PDF is shared through the Web Share API where the
browser can share files, downloaded otherwise; the report page itself, screen and print."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, log_in, screenshot
from tests.conftest import PASSWORD, make_user
from tests.known_diary import known_diary

pytestmark = [pytest.mark.browser]

# Records what the page asks to share, as a phone's share sheet would receive it.
SHARE_STUB = """
window.__shared = null;
navigator.canShare = (data) => Boolean(data && data.files && data.files.length);
navigator.share = async (data) => {
  const file = data.files[0];
  const head = new Uint8Array(await file.slice(0, 5).arrayBuffer());
  window.__shared = {name: file.name, type: file.type, size: file.size, head: String.fromCharCode(...head), title: data.title};
};
"""


def test_report_for_my_doctor_is_shared_or_downloaded(new_page):
    alice = make_user("alice@example.com", name="Alice Patient", time_zone="Europe/London")
    known_diary(alice)

    page = new_page()
    log_in(page, alice.email, PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    page.goto("/settings")
    button = page.get_by_role("button", name="Report for my doctor")
    expect(button).to_be_visible()
    button.scroll_into_view_if_needed()
    screenshot(page, "30-settings-report-button")
    problems = axe_violations(page, "settings with the report button")

    # No Web Share for files (desktop Chromium): the PDF is downloaded.
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.startswith("visit-report-")
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # A phone that can share files gets the share sheet with the PDF.
    phone = new_page()
    phone.add_init_script(SHARE_STUB)
    log_in(phone, alice.email, PASSWORD)
    expect(phone.get_by_role("button", name="Log a cramp now")).to_be_visible()
    phone.goto("/settings")
    phone.get_by_role("button", name="Report for my doctor").click()
    phone.wait_for_function("() => window.__shared !== null")
    shared = phone.evaluate("window.__shared")
    assert shared["type"] == "application/pdf"
    assert shared["head"] == "%PDF-"
    assert shared["title"] == "Report for my doctor"
    assert shared["name"].endswith(".pdf") and shared["size"] > 5000
    assert problems == []


def test_the_report_page_on_screen_and_in_print(new_page):
    alice = make_user("alice@example.com", name="Alice Patient", time_zone="Europe/London")
    known_diary(alice)
    page = new_page(viewport={"width": 900, "height": 1200})
    log_in(page, alice.email, PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    page.goto("/api/v1/reports/visit?from=2025-01-27&to=2025-06-30")
    expect(page.get_by_role("heading", name="Cramp and vitamin D report")).to_be_visible()
    expect(page.get_by_role("img", name="Cramps per reported day, by week")).to_be_visible()
    screenshot(page, "31-visit-report-screen")
    page.emulate_media(media="print")
    screenshot(page, "32-visit-report-print")
    assert axe_violations(page, "visit report") == []
