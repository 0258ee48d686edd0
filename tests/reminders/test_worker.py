"""One reminder end to end through a real Celery worker on the real Redis broker.

The worker is a subprocess (`celery -A config.celery_app worker --pool solo`) that uses this
test's PostgreSQL database: pytest-django's test database, reached through DATABASE_URL,
with the test's rows committed (transactional_db) so another process sees them. It gets a
Redis database of its own, so it neither eats nor leaves messages on the broker other runs
use. The push service is a local HTTP server that accepts only a real web push: an
aes128gcm body that decrypts with the browser's key, a valid VAPID Authorization header
for its own origin, and a TTL.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from django.db import connection
from django.utils import timezone
from py_vapid import Vapid02
from rest_framework.test import APIClient

from diary.models import SupplementDose
from diary.reminders import transports
from diary.reminders.models import Delivery, PushSubscription, Reminder
from tests.conftest import require_postgres, require_redis_url
from tests.reminders_support import browser_keys, decrypt, make_regimen, make_reminder

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


class PushService(ThreadingHTTPServer):
    """Records every request; answers 400 to anything that is not a well-formed web push."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.received = threading.Event()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        well_formed = (
            headers.get("content-encoding") == "aes128gcm"
            and headers.get("authorization", "").startswith("vapid t=")
            and headers.get("ttl", "").isdigit()
            and len(body) > 0
        )
        self.server.requests.append({"path": self.path, "headers": headers, "body": body})
        self.send_response(201 if well_formed else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.received.set()

    def log_message(self, *args) -> None:
        pass


def _separate_redis_db(url: str) -> str:
    """The same Redis server, another database number: this test's broker alone."""
    parts = urlsplit(url)
    current = int(parts.path.strip("/") or 0)
    number = int(os.environ.get("REMINDERS_IT_REDIS_DB", 13 if current != 13 else 12))
    return urlunsplit(parts._replace(path=f"/{number}"))


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def push_server():
    server = PushService()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def broker_url():
    url = _separate_redis_db(require_redis_url())
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def worker(broker_url, tmp_path):
    """Start a worker with the given extra environment; stopped (warm, then hard) at the end."""
    started: list[tuple[subprocess.Popen, Path]] = []

    def start(env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / "worker.log"
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--pool", "solo",
                "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle",
                "--hostname", f"reminders-it-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR,
            env={**os.environ, "REDIS_URL": broker_url, **env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((process, log))
        return process, log

    yield start
    for process, _ in started:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_for(predicate, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {WAIT_SECONDS} s. Worker log:\n{log.read_text()[-4000:]}")


def test_a_real_worker_sends_one_reminder_end_to_end(patient, push_server, broker_url, worker):
    require_postgres()
    private, public = transports.generate_vapid_keys()
    browser_key, p256dh, auth = browser_keys()
    subscription = PushSubscription.objects.create(
        user=patient, endpoint=f"{push_server.origin}/push/{patient.id}", p256dh=p256dh, auth=auth
    )
    now = timezone.now()
    reminder = make_reminder(patient, now=now - timedelta(days=1), regimen=make_regimen(patient))
    Reminder.objects.filter(id=reminder.id).update(next_fire_at=now - timedelta(seconds=1))

    _, log = worker(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _test_database_url(),
            "WEBPUSH_VAPID_PRIVATE_KEY": private,
            "WEBPUSH_VAPID_PUBLIC_KEY": public,
            "WEBPUSH_VAPID_SUBJECT": "mailto:ops@example.com",
        }
    )
    # What beat does every minute: publish the tick. The worker runs it, the tick enqueues the
    # send after its commit, and the same worker takes the send from the broker.
    beat = Celery("beat-stand-in", broker=broker_url)
    beat.conf.task_serializer = "json"
    beat.send_task("diary.reminders.tasks.reminders_tick")

    _wait_for(push_server.received.is_set, "A push request", log)
    _wait_for(
        lambda: Delivery.objects.filter(reminder=reminder, status="sent").exists(), "The delivery marked sent", log
    )

    [request] = push_server.requests
    headers = request["headers"]
    assert request["path"] == f"/push/{patient.id}"
    assert headers["content-encoding"] == "aes128gcm"
    assert 0 < int(headers["ttl"]) <= 2 * 3600
    assert headers["urgency"] == "high"
    authorization = headers["authorization"]
    assert Vapid02.verify(authorization), "the VAPID JWT does not verify with the key it names"
    assert authorization.rsplit("k=", 1)[1] == public
    token = authorization.split("t=", 1)[1].split(",", 1)[0]
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["aud"] == push_server.origin
    payload = json.loads(decrypt(request["body"], browser_key, auth))

    delivery = Delivery.objects.get(reminder=reminder)
    assert payload["delivery_id"] == delivery.id
    assert payload["title"] == "Vitamin D3 1,000 IU"
    assert (delivery.kind, delivery.attempts) == ("reminder", 1)
    assert delivery.claimed_at is not None and delivery.sent_at is not None
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None
    reminder.refresh_from_db()
    assert reminder.next_fire_at > now

    # The patient taps "Taken" on the notification: the service worker POSTs the signed URL.
    taken_url = next(action["url"] for action in payload["actions"] if action["action"] == "taken")
    assert APIClient().post(taken_url).status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == "taken"
    assert SupplementDose.objects.get(patient=patient).id == delivery.dose_id
