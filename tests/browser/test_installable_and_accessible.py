"""Installability (Chromium's own checks through the DevTools protocol), real PNG icons,
and axe-core on the patient's screens in light and dark mode."""

from __future__ import annotations

import struct

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    axe_violations,
    log_in,
    screenshot,
    wait_for_service_worker,
)
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_chromium_reports_no_installability_errors(playwright_runtime, app_url, tmp_path):
    # A normal (incognito) context always reports "in-incognito": use a real profile.
    context = playwright_runtime.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, viewport=VIEWPORT
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(app_url + "/login")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        # Chromium checks the manifest and fetches the icons on its own schedule: on a busy
        # machine the first answer can still be about work in progress.
        for _ in range(20):
            errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            if not errors:
                break
            page.wait_for_timeout(500)
        assert errors == [], errors
        for src, size in [("icon-192", 192), ("icon-512", 512), ("maskable-192", 192), ("maskable-512", 512)]:
            response = page.request.get(f"{app_url}/icons/{src}.png")
            assert response.ok and response.headers["content-type"] == "image/png"
            assert png_size(response.body()) == (size, size)
    finally:
        context.close()


def test_manifest_and_build_layout(frontend_dist):
    # Django serves dist/ from the site root: index.html, sw.js and the manifest at the top.
    for name in ("index.html", "sw.js", "manifest.webmanifest"):
        assert (frontend_dist / name).is_file(), name
    index = (frontend_dist / "index.html").read_text()
    assert 'src="/assets/' in index and 'href="/manifest.webmanifest"' in index


SCREENS = [
    ("/log/episode", "Log cramp", "13-log-cramp-details"),
    ("/log/checkin", "Log check-in", "14-log-checkin"),
    ("/log/sun", "Log sun", "15-log-sun"),
    ("/log/dose", "Log dose", "16-log-dose"),
    ("/log/lab", "Log lab result", "17-log-lab"),
    ("/log/regimen", "Log regimen", "18-log-regimen"),
    ("/reminders", "Reminders", "19-reminders"),
    ("/settings", "Settings", "20-settings"),
]


def test_patient_screens_have_no_serious_axe_violations(new_page):
    make_user("axel@example.com", name="Axel")
    page = new_page()
    log_in(page, "axel@example.com", PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    problems: list[str] = []
    for path, heading, shot in SCREENS:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        page.wait_for_load_state("networkidle")
        screenshot(page, shot)
        problems += axe_violations(page, path)
    assert not problems, "\n".join(problems)
    assert not page.js_errors


def test_dark_mode_screens_have_no_serious_axe_violations(new_page):
    make_user("dora@example.com", name="Dora")
    page = new_page(color_scheme="dark")
    log_in(page, "dora@example.com", PASSWORD)
    expect(page.get_by_role("button", name="Log a cramp now")).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 23, 32)", background
    problems = axe_violations(page, "home (dark)")
    screenshot(page, "21-home-dark")
    for path, heading in [("/history", "History"), ("/charts", "Charts"), ("/care", "Care team")]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        page.wait_for_load_state("networkidle")
        problems += axe_violations(page, f"{path} (dark)")
    screenshot(page, "22-care-dark")
    assert not problems, "\n".join(problems)
