"""GET /healthz: the database and the Celery broker, without authentication.

The broker is Redis under CI (REDIS_URL) and kombu's filesystem transport locally. /healthz
is not part of the API: its body is {"status", "checks", "failing"}, not the error envelope.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from config.celery_app import app as celery_app
from tests.conftest import IN_CI
from tests.platform.test_settings import PRODUCTION_ENV, import_production

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def point_broker(monkeypatch):
    """Point the Celery app at another broker for one test."""

    def point(url: str, **transport_options) -> None:
        monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # it would win over the conf
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_transport_options", transport_options)

    return point


def test_healthz_answers_ok_without_authentication(anon_client):
    if IN_CI:
        assert celery_app.conf.broker_url.startswith("redis://"), "CI must check the Redis broker"
    response = anon_client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.parametrize("failing", [["database"], ["broker"], ["database", "broker"]], ids="+".join)
def test_healthz_answers_503_naming_what_fails(anon_client, point_broker, failing):
    with contextlib.ExitStack() as stack:
        if "database" in failing:
            broken = OperationalError("server closed the connection unexpectedly")
            stack.enter_context(mock.patch.object(connection, "cursor", side_effect=broken))
        if "broker" in failing:
            point_broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
        response = anon_client.get("/healthz")
    assert response.status_code == 503, response.content
    assert response.json() == {
        "status": "unavailable",
        "checks": {name: "down" if name in failing else "ok" for name in ("database", "broker")},
        "failing": failing,
    }


def filesystem_options(folder: Path) -> dict:
    return {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder)}


def test_filesystem_broker_with_its_folder_is_ok(anon_client, point_broker, tmp_path):
    point_broker("filesystem://", **filesystem_options(tmp_path))
    response = anon_client.get("/healthz")
    assert response.status_code == 200, response.content


def test_filesystem_broker_without_its_folder_is_down(anon_client, point_broker, tmp_path):
    # kombu "connects" to a folder that does not exist; a worker then dies listing it.
    point_broker("filesystem://", **filesystem_options(tmp_path / "missing"))
    response = anon_client.get("/healthz")
    assert response.status_code == 503, response.content
    assert response.json()["failing"] == ["broker"]


def test_healthz_is_not_redirected_to_https_in_production(anon_client):
    """The compose healthcheck probes over plain HTTP; the rest of the site redirects."""
    production = import_production(PRODUCTION_ENV)
    with override_settings(
        SECURE_SSL_REDIRECT=production.SECURE_SSL_REDIRECT,
        SECURE_REDIRECT_EXEMPT=production.SECURE_REDIRECT_EXEMPT,
    ):
        assert anon_client.get("/healthz").status_code == 200
        redirected = anon_client.get("/api/v1/me")
        assert redirected.status_code == 301
        assert redirected["Location"].startswith("https://")


def test_the_compose_probe_script_passes_against_a_live_server(live_server):
    env = {**os.environ, "HEALTHZ_URL": f"{live_server.url}/healthz", "DJANGO_ALLOWED_HOSTS": "localhost"}
    probe = [sys.executable, str(BASE_DIR / "bin" / "healthz_probe.py")]
    result = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr


def test_the_compose_probe_script_fails_when_nothing_listens():
    env = {**os.environ, "HEALTHZ_URL": "http://127.0.0.1:1/healthz"}
    probe = [sys.executable, str(BASE_DIR / "bin" / "healthz_probe.py")]
    result = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert result.returncode == 1
