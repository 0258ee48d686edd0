"""What `make run` starts, started the same way: Procfile.dev under honcho (web, Celery worker
and beat) on SQLite and the embedded broker, after migrate and seed_demo. The newcomer's
checks: /healthz answers 200, the schema is served, the demo logins work."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from accounts.demo import DEMO_CLINICIAN_EMAIL, DEMO_PASSWORD, DEMO_PATIENT_EMAIL
from diary.demo_clinic import STORIES

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _post(url: str, body: dict, headers: dict | None = None) -> dict:
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())


def test_the_procfile_stack_serves_health_schema_and_demo_logins(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        WEB_PORT=str(port),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)  # noqa: S603
    seeded = subprocess.run(  # noqa: S603
        [*manage, "seed_demo"], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True, text=True
    )
    assert DEMO_PATIENT_EMAIL in seeded.stdout

    log = (tmp_path / "honcho.log").open("w")
    stack = subprocess.Popen(  # noqa: S603
        [str(BIN / "honcho"), "--env", "/dev/null", "-f", "Procfile.dev", "start"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                status, body = _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the web process never answered:\n" + (tmp_path / "honcho.log").read_text()[-3000:])
        assert (status, json.loads(body)["checks"]) == (200, {"database": "ok", "broker": "ok"})
        assert _get(f"{base}/api/v1/schema/")[0] == 200

        patient = _post(f"{base}/_allauth/app/v1/auth/login", {"email": DEMO_PATIENT_EMAIL, "password": DEMO_PASSWORD})
        assert patient["meta"]["is_authenticated"] is True
        status, body = _get(
            f"{base}/api/v1/trends/treatment-response", {"X-Session-Token": patient["meta"]["session_token"]}
        )
        assert status == 200 and json.loads(body)["verdict"] == "improved"

        clinician = _post(
            f"{base}/_allauth/app/v1/auth/login", {"email": DEMO_CLINICIAN_EMAIL, "password": DEMO_PASSWORD}
        )
        assert [f["id"] for f in clinician["data"]["flows"] if f.get("is_pending")] == ["mfa_authenticate"]
        # A code is good for its 30-second window only: on a loaded machine the window can turn
        # between printing the code and checking it, so a refused code is retried once.
        for attempt in range(2):
            code = subprocess.run(  # noqa: S603
                [*manage, "demo_totp"], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=60
            ).stdout.strip()
            answer = _post(
                f"{base}/_allauth/app/v1/auth/2fa/authenticate",
                {"code": code},
                headers={"X-Session-Token": clinician["meta"]["session_token"]},
            )
            if answer["status"] == 200 or attempt == 1:
                break
            time.sleep(30 - time.time() % 30 + 0.5)
        assert answer["status"] == 200, answer
        token = answer["meta"]["session_token"]
        status, body = _get(f"{base}/api/v1/clinician/patients", {"X-Session-Token": token})
        assert status == 200
        emails = [row["patient"]["email"] for row in json.loads(body)["results"]]
        assert sorted(emails) == sorted([DEMO_PATIENT_EMAIL, *(story.email for story in STORIES)])
        output = (tmp_path / "honcho.log").read_text()
        assert "worker.1" in output and "beat.1" in output
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        try:
            stack.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
        log.close()
