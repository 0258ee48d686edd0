"""Offline: cramps logged without a connection are kept on the phone (IndexedDB), shown as
pending, survive a reload while still offline, and reach the server exactly once each."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from diary.models import SpasmEpisode
from tests.browser.conftest import log_in, screenshot, wait_for_service_worker
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser]


def test_three_cramps_offline_survive_a_reload_and_sync_once(new_page):
    patient = make_user("olive@example.com", name="Olive", time_zone="Europe/London")
    page = new_page()
    log_in(page, patient.email, PASSWORD)
    log_button = page.get_by_role("button", name="Log a cramp now")
    expect(log_button).to_be_visible()
    wait_for_service_worker(page)

    page.context.set_offline(True)
    for severity in ("3", "6", "9"):
        page.locator(".quick .chip", has_text=severity).click()
        log_button.click()
        expect(page.locator(".toast")).to_contain_text("kept on this phone")
    pending = page.get_by_test_id("pending-count")
    expect(pending).to_have_text("3 pending")
    assert SpasmEpisode.objects.count() == 0
    ids = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("spasm-diary");
            open.onsuccess = () => {
                const all = open.result.transaction("outbox").objectStore("outbox").getAll();
                all.onsuccess = () => resolve(all.result.map((item) => item.id));
            };
        })"""
    )
    assert len(ids) == 3

    # The app shell comes from the service worker's precache; the outbox from IndexedDB.
    page.reload()
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    expect(page.get_by_test_id("pending-count")).to_have_text("3 pending")
    expect(page.locator(".badge.offline")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    expect(page.locator(".entry .badge.pending")).to_have_count(3)
    screenshot(page, "07-history-offline-pending")

    page.context.set_offline(False)
    expect(page.get_by_test_id("pending-count")).to_have_count(0, timeout=20_000)
    expect(page.locator(".entry .badge.pending")).to_have_count(0)
    stored = SpasmEpisode.objects.filter(patient=patient)
    assert sorted(str(pk) for pk in stored.values_list("id", flat=True)) == sorted(ids)
    assert sorted(stored.values_list("severity", flat=True)) == [3, 6, 9]

    # Another flush (the app reopening, Background Sync firing late) sends nothing twice.
    page.reload()
    expect(page.locator(".entry")).to_have_count(3)
    page.evaluate("() => navigator.serviceWorker.controller.postMessage({type: 'flush'})")
    page.wait_for_timeout(500)
    assert SpasmEpisode.objects.filter(patient=patient).count() == 3
    assert not page.js_errors
