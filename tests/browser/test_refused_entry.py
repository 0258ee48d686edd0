"""An entry made offline that the server refuses stays on the phone with the reason, and
the patient fixes it: the fixed entry is stored under the same client id. Also: a second
"No cramps today" merges into the day's check-in, and a stored entry is deleted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from diary.models import DailyCheckin, LabResult
from tests.browser.conftest import log_in, screenshot, wait_for_service_worker
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser]


def test_refused_offline_entry_is_shown_with_its_reason_and_fixed(new_page):
    patient = make_user("rita@example.com", name="Rita")
    page = new_page()
    log_in(page, patient.email, PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    wait_for_service_worker(page)

    # "No cramps today" twice: the second is a conflict (one check-in a day), merged into
    # the first with a PATCH.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/diary/sync")):
        page.get_by_role("button", name="No cramps today").click()
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/v1/diary/checkins/" in r.url) as merged:
        page.get_by_role("button", name="No cramps today").click()
    assert merged.value.status == 200
    assert list(DailyCheckin.objects.filter(patient=patient).values_list("no_cramps", flat=True)) == [True]

    page.context.set_offline(True)
    page.get_by_role("link", name="Lab result").click()
    page.get_by_label("Value").fill("900")  # 25(OH)D in ng/mL: not a value a person can have
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("kept on this phone")
    expect(page.get_by_test_id("pending-count")).to_have_text("1 pending")

    page.context.set_offline(False)
    to_fix = page.get_by_role("link", name="1 to fix")
    expect(to_fix).to_be_visible(timeout=20_000)
    assert LabResult.objects.count() == 0
    to_fix.click()
    refused = page.locator(".entry.invalid")
    expect(refused).to_contain_text("outside the possible range")
    screenshot(page, "23-history-refused")

    refused.get_by_role("link", name="Edit").click()
    value = page.get_by_label("Value")
    expect(page.locator(".field.has-error")).to_contain_text("outside the possible range")
    value.fill("24.5")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".toast")).to_contain_text("saved")
    expect(page.get_by_role("link", name="1 to fix")).to_have_count(0)
    lab = LabResult.objects.get(patient=patient)
    assert float(lab.value) == 24.5 and lab.category == "insufficient"
    row = page.locator(f'.entry[data-id="{lab.id}"]')
    expect(row).to_contain_text("25(OH)D 24.5 ng/mL")

    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete lab result 25(OH)D 24.5 ng/mL (insufficient)").click()
    expect(page.locator(".toast")).to_contain_text("Deleted")
    expect(row).to_have_count(0)
    assert not LabResult.objects.filter(patient=patient).exists()
    assert not page.js_errors
