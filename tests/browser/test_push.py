"""Push opt-in stores the browser's subscription on the server, with the server's VAPID
key; a push message shows a notification with "Taken" and "Snooze" actions.

Headless Chromium here has no route to a real push service (subscribe() would wait on it
forever), so PushManager.subscribe is replaced by one that answers a well-formed
subscription and records the applicationServerKey it was given. Everything else is real:
the permission, the VAPID key fetch, the POST to the server, the service worker."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot, service_worker_cdp
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser]

FAKE_PUSH_MANAGER = """
(() => {
  let current = null;
  PushManager.prototype.subscribe = async function (options) {
    window.__applicationServerKey = Array.from(new Uint8Array(options.applicationServerKey));
    current = {
      endpoint: "https://fcm.googleapis.com/fcm/send/browser-test-endpoint",
      expirationTime: null,
      toJSON() {
        return {
          endpoint: this.endpoint,
          expirationTime: null,
          keys: {
            p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            auth: "tBHItJI5svbpez7KI4CCXg",
          },
        };
      },
      unsubscribe: async () => { current = null; return true; },
    };
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
"""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def vapid(settings) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    settings.WEBPUSH_VAPID_PUBLIC_KEY = _b64url(public)
    settings.WEBPUSH_VAPID_PRIVATE_KEY = _b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    return public


def test_push_opt_in_stores_the_subscription(new_page, app_url, vapid):
    patient = make_user("pia@example.com", name="Pia")
    page = new_page()
    page.context.grant_permissions(["notifications"], origin=app_url)
    page.context.add_init_script(FAKE_PUSH_MANAGER)
    log_in(page, patient.email, PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    page.goto("/reminders")
    page.get_by_role("button", name="Turn on push reminders").click()
    expect(page.get_by_test_id("push-state")).to_contain_text("Push reminders are on")
    screenshot(page, "12-reminders-push-on")

    assert bytes(page.evaluate("window.__applicationServerKey")) == vapid
    stored = page.evaluate("() => fetch('/api/v1/push/subscriptions/').then((r) => r.json())")
    assert [s["endpoint"] for s in stored["results"]] == ["https://fcm.googleapis.com/fcm/send/browser-test-endpoint"]

    # A push message reaches the service worker, which shows the reminder with its actions.
    cdp, registration_id = service_worker_cdp(page)
    payload = {
        "title": "Vitamin D3 50,000 IU",
        "body": "Time for your 09:00 dose.",
        "tag": "delivery-1",
        "delivery_id": 1,
        "open_url": "/",
        "actions": [
            {"action": "taken", "title": "Taken", "method": "POST", "url": "/api/v1/reminders/actions/x"},
            {"action": "snooze", "title": "Snooze 30 min", "method": "POST", "url": "/api/v1/reminders/actions/y"},
        ],
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": app_url + "/", "registrationId": registration_id, "data": json.dumps(payload)},
    )
    page.wait_for_function(
        "() => navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((n) => n.length > 0)",
        timeout=10_000,
    )
    shown = page.evaluate(
        """() => navigator.serviceWorker.ready
            .then((r) => r.getNotifications())
            .then((list) => list.map((n) => ({title: n.title, actions: n.actions.map((a) => a.title)})))"""
    )
    assert shown == [{"title": "Vitamin D3 50,000 IU", "actions": ["Taken", "Snooze 30 min"]}]
    assert not page.js_errors


def test_reminder_made_from_a_regimen_and_edited(new_page):
    patient = make_user("remy@example.com", name="Remy")
    page = new_page()
    log_in(page, patient.email, PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()

    page.get_by_role("link", name="Supplement regimen").click()
    page.get_by_label("Start from a protocol").select_option(label="Maintenance: 1,000 IU daily")
    expect(page.get_by_label("Amount")).to_have_value("1000")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Regimen saved")

    page.goto("/reminders")
    page.get_by_label("For regimen").select_option(index=1)
    page.get_by_role("button", name="Add reminder").click()
    editor = page.locator("form.reminder")
    expect(editor.get_by_role("heading")).to_have_text("Vitamin D3 1000 IU")
    expect(editor.get_by_label("Time")).to_have_value("08:00")  # the server's default for a daily regimen
    editor.get_by_label("Time").fill("07:30")
    editor.get_by_role("radio", name="Email").check()
    editor.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Reminder saved")
    screenshot(page, "24-reminder-edited")

    reminders = page.evaluate("() => fetch('/api/v1/reminders/').then((r) => r.json())")
    rows = reminders["results"] if isinstance(reminders, dict) else reminders
    assert [(r["local_time"], r["channel"], r["enabled"]) for r in rows] == [("07:30", "email", True)]
    assert not page.js_errors
