"""Offline: cramps logged without a connection are kept on the phone (IndexedDB), shown as
pending, survive a reload while still offline, and reach the server exactly once each."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from diary.models import SpasmEpisode
from tests.browser.conftest import log_in, screenshot, service_worker_cdp, wait_for_service_worker
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


def test_background_sync_sends_the_outbox_from_the_service_worker(new_page, app_url):
    """The service worker's own flush (Background Sync's "sync" event), with no page doing
    the sending: it uses the CSRF token the page left in IndexedDB."""
    patient = make_user("sami@example.com", name="Sami")
    page = new_page()
    log_in(page, patient.email, PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    wait_for_service_worker(page)
    entry_id = "6b0f9a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    # Queue an entry the way the app does, but without letting the page send it.
    page.evaluate(
        """([id, owner]) => new Promise((resolve, reject) => {
            const open = indexedDB.open("spasm-diary");
            open.onsuccess = () => {
                const tx = open.result.transaction("outbox", "readwrite");
                tx.objectStore("outbox").put({
                    id, owner, kind: "episode", op: "create", status: "pending", attempts: 0,
                    queued_at: Date.now(), recorded_at: new Date().toISOString(),
                    payload: {occurred_at: new Date().toISOString(), muscle_group: "foot", severity: 4},
                });
                tx.oncomplete = () => resolve(true);
                tx.onerror = () => reject(tx.error);
            };
        })""",
        [entry_id, str(patient.id)],
    )
    cdp, registration_id = service_worker_cdp(page)
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": app_url + "/", "registrationId": registration_id, "tag": "diary-sync", "lastChance": False},
    )
    for _ in range(50):
        if SpasmEpisode.objects.filter(id=entry_id).exists():
            break
        page.wait_for_timeout(100)
    episode = SpasmEpisode.objects.get(id=entry_id)
    assert (episode.patient_id, episode.muscle_group, episode.severity) == (patient.id, "foot", 4)
    # The worker drops the item from the outbox once the server has it.
    page.wait_for_function(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("spasm-diary");
            open.onsuccess = () => {
                const count = open.result.transaction("outbox").objectStore("outbox").count();
                count.onsuccess = () => resolve(count.result === 0);
            };
        })""",
        timeout=5_000,
    )
