"""The service worker's copy of API reads: one person's own reads, never a clinician's reads
of a patient, and gone when the session ends or someone else logs in."""

from __future__ import annotations

import pytest
from allauth.mfa.adapter import get_adapter as mfa_adapter
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.conftest import log_in, totp_now, wait_for_service_worker
from tests.conftest import PASSWORD, link, make_user

pytestmark = [pytest.mark.browser]

CACHED_URLS = """() => caches.open("api-reads").then((cache) => cache.keys()).then((keys) => keys.map((r) => new URL(r.url).pathname))"""


def cached(page) -> list[str]:
    return page.evaluate(CACHED_URLS)


def open_history(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()


def test_reads_are_forgotten_when_the_session_ends_and_when_another_user_logs_in(new_page):
    make_user("alice@example.com", name="Alice")
    make_user("dave@example.com", name="Dave")
    page = new_page()
    log_in(page, "alice@example.com", PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    wait_for_service_worker(page)
    page.reload()  # from now on the worker sees every request
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    open_history(page)
    page.wait_for_function(CACHED_URLS.replace("keys.map", "keys.length > 0 && keys.map"))
    assert "/api/v1/me" in cached(page)

    # The server ends the session (expiry, a logout elsewhere): the next answer is a 401.
    # Sessions are read from the cache and written through to the table (cached_db): both go.
    Session.objects.all().delete()
    cache.clear()
    page.reload()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert [url for url in cached(page) if url.startswith("/api/")] == []

    # Someone else logs in on this phone: nothing of alice's is there to fall back on.
    log_in(page, "alice@example.com", PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    open_history(page)
    page.wait_for_function(CACHED_URLS.replace("keys.map", "keys.length > 0 && keys.map"))
    # Logging out while reads may still be on their way: none of them lands in the cache.
    page.evaluate(
        "() => fetch('/_allauth/browser/v1/auth/session', {method: 'DELETE', headers: {'X-CSRFToken': document.cookie.match(/csrftoken=([^;]+)/)[1]}})"
    )
    assert cached(page) == []
    page.wait_for_timeout(1000)
    assert cached(page) == []  # reads that were in flight were not stored when they landed
    log_in(page, "dave@example.com", PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    me = page.evaluate("() => caches.match('/api/v1/me').then((r) => (r ? r.json() : null))")
    assert me is None or me["email"] == "dave@example.com"


def test_a_clinicians_reads_of_a_patient_are_not_kept(new_page):
    alice = make_user("alice@example.com", name="Alice Patient")
    bob = make_user("bob@example.com", User.Role.CLINICIAN, mfa=True, name="Dr Bob")
    link(alice, bob)
    page = new_page()
    page.goto("/login")
    wait_for_service_worker(page)  # the worker sees every request from here on
    secret = mfa_adapter().decrypt(Authenticator.objects.get(user=bob, type="totp").data["secret"])
    log_in(page, "bob@example.com", PASSWORD)
    page.get_by_label("Code from your app, or a recovery code").fill(totp_now(secret))
    page.get_by_role("button", name="Continue").click()
    table = page.get_by_test_id("patients-table")
    table.get_by_role("link", name="Alice Patient").click()
    expect(page.get_by_test_id("spasm-chart")).to_be_visible()
    urls = cached(page)
    assert "/api/v1/me" in urls  # the worker does cache the clinician's own reads
    assert [url for url in urls if url.startswith("/api/v1/clinician/")] == []
