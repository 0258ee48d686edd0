"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

One Chromium per session. The PWA build (frontend/dist) is made once per session when it
is missing or older than its sources. Under CI=true a missing Chromium, Playwright or npm
fails the run; on a laptop without them these tests skip.

Never `playwright install`: the browser is Debian's (`apt-get install chromium`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import os
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 360, "height": 640}
AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
# What the build reads: a change to any of these makes dist/ stale.
BUILD_INPUTS = [
    "src",
    "public",
    "scripts",
    "index.html",
    "vite.config.ts",
    "tsconfig.json",
    "package.json",
    "package-lock.json",
]


def _missing(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)", pytrace=False)
    pytest.skip(reason)


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in BUILD_INPUTS:
        path = FRONTEND / name
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        for f in files:
            if "icons" in f.parts:  # written by the build itself
                continue
            newest = max(newest, f.stat().st_mtime)
    return newest


def build_frontend() -> None:
    """`npm ci` when node_modules is missing, then `npm run build`, when dist/ is stale."""
    index = DIST / "index.html"
    if index.exists() and index.stat().st_mtime >= _newest_source_mtime() and AXE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        _missing("npm is not installed: cannot build frontend/dist for the browser tests")
    steps = [] if (FRONTEND / "node_modules").exists() else [[npm, "ci", "--no-audit", "--no-fund"]]
    steps.append([npm, "run", "build"])
    for cmd in steps:
        done = subprocess.run(cmd, cwd=FRONTEND, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603  (npm from PATH, fixed arguments)
        if done.returncode != 0:
            pytest.fail(
                f"`{' '.join(cmd[1:])}` failed in frontend/:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}",
                pytrace=False,
            )


@pytest.fixture(scope="session")
def frontend_dist() -> Path:
    build_frontend()
    # Settings and URLs look for dist/ when they are imported, which may have been before
    # this build: point whitenoise at it and reload the URLconf so the SPA routes exist.
    from django.conf import settings
    from django.urls import clear_url_caches

    if settings.WHITENOISE_ROOT is None:
        settings.WHITENOISE_ROOT = DIST
        if "config.urls" in sys.modules:
            importlib.reload(sys.modules["config.urls"])
        clear_url_caches()
    return DIST


# Package scope: Playwright's sync API runs an event loop in this thread while it is up, so
# it must be gone before the rest of the suite runs, and while it is up Django has to be
# told that the test's own ORM calls (plain sync code) are fine.
@pytest.fixture(scope="package")
def playwright_runtime() -> Iterator:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _missing("playwright (Python) is not installed")
    # The default 5 s is tight on a 2-core machine that also runs the server.
    expect.set_options(timeout=10_000)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            yield p
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def chromium(playwright_runtime) -> Iterator:
    browser = playwright_runtime.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def _server(frontend_dist, live_server) -> str:
    # frontend_dist first: whitenoise reads its settings when the live server starts.
    return live_server.url


@pytest.fixture
def app_url(_server, transactional_db) -> str:
    from django.core import mail

    mail.outbox.clear()
    return _server


@pytest.fixture
def new_page(chromium, app_url):
    """new_page(**context_options): a fresh context (no cookies, no service worker) and page.

    Every page runs under the app's Content-Security-Policy; a violation reported on the
    console fails the test (the PWA must work without inline script or style)."""
    contexts = []
    csp_violations: list[str] = []

    def make(**options):
        options = {"viewport": VIEWPORT, "base_url": app_url, "timezone_id": "Europe/London", **options}
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda message: csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.js_errors = errors
        return page

    yield make
    for context in contexts:
        context.close()
    assert csp_violations == [], csp_violations


# --- helpers ----------------------------------------------------------------------------------
def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def axe_violations(page, label: str) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools: a <script> tag (add_script_tag) is inline script, which
        # the app's Content-Security-Policy refuses, as it should.
        page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{label}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def wait_for_service_worker(page) -> None:
    """Until the service worker controls the page (its precache is complete by then)."""
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20_000
    )


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def totp_now(secret: str, at: float | None = None) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits), as an authenticator app shows it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def verification_code(email: str) -> str:
    """The code in the last verification email to `email` (locmem outbox, same process)."""
    import re

    from django.core import mail

    for message in reversed(mail.outbox):
        if email in message.to:
            match = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.M)
            if match:
                return match.group(1)
    raise AssertionError(f"no verification code was mailed to {email}: {[m.subject for m in mail.outbox]}")


def service_worker_cdp(page) -> tuple:
    """A DevTools session and the registration id of the running service worker, for
    ServiceWorker.deliverPushMessage and ServiceWorker.dispatchSyncEvent."""
    cdp = page.context.new_cdp_session(page)
    versions: list[dict] = []
    cdp.on("ServiceWorker.workerVersionUpdated", lambda event: versions.extend(event["versions"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        running = [v["registrationId"] for v in versions if v.get("runningStatus") == "running"]
        if running:
            return cdp, running[-1]
        page.wait_for_timeout(100)
    raise AssertionError(f"no running service worker: {versions}")
