"""Shared plumbing for benchmarks: a throwaway PostgreSQL database, Django set up against
it, and a gunicorn server (production settings, 2 sync workers) to time requests on."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://root@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def bench_database(name: str) -> str:
    """Drop and create database `name`; return its URL. Never touches the test database."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "http://127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_TRUSTED_PROXIES": "0",  # the bench talks to gunicorn directly
        "DJANGO_EMAIL_HOST": "localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        # Production requires a VAPID pair; this bench-only one sends nothing anywhere.
        "WEBPUSH_VAPID_PRIVATE_KEY": os.environ.get(
            "WEBPUSH_VAPID_PRIVATE_KEY", "OhJOkW4SiiEsYfiI-iuS5RldSrahh29uuRT9wDvboJ8"
        ),
        "WEBPUSH_VAPID_PUBLIC_KEY": os.environ.get(
            "WEBPUSH_VAPID_PUBLIC_KEY",
            "BNlXQK0dGzEkcYQg-eSdaYDfu-ttGuvQsS2JTQ_WIPPM-HqGrYx28tImYAaSauugbPjIl9Lx_V4x8HZ9T10IKHY",
        ),
        "WEBPUSH_VAPID_SUBJECT": os.environ.get("WEBPUSH_VAPID_SUBJECT", "mailto:bench@example.com"),
    }


def setup_django(database_url: str) -> None:
    os.environ.update(server_env(database_url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int = 2) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(database_url),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def timed_gets(url: str, headers: dict[str, str], count: int, warmup: int = 20) -> list[float]:
    """Sequential GETs; returns each request's wall time in milliseconds."""
    request = urllib.request.Request(url, headers=headers)
    samples = []
    for i in range(warmup + count):
        started = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
        if i >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(rows: list[tuple[str, list[float]]], baseline: list[float], targets: dict[str, float]) -> None:
    base_median, base_p95 = summary(baseline)
    print(f"  {'endpoint':<46} {'median ms':>10} {'p95 ms':>8} {'x trivial':>10} {'target':>8}")
    print(f"  {'trivial authenticated GET /api/v1/me':<46} {base_median:>10.2f} {base_p95:>8.2f} {'1.0':>10} {'':>8}")
    for name, samples in rows:
        median, p95 = summary(samples)
        ratio = median / base_median
        target = targets.get(name)
        verdict = "" if target is None else (f"<= {target:g}x " + ("ok" if ratio <= target else "MISSED"))
        print(f"  {name:<46} {median:>10.2f} {p95:>8.2f} {ratio:>10.2f} {verdict:>8}")


def login(base: str, email: str, password: str, totp: Callable[[], str] | None = None) -> dict[str, str]:
    import json

    def post(path: str, body: dict, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Session-Token"] = token
        request = urllib.request.Request(
            f"{base}{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:  # 401 carries the pending-flow body
            return json.loads(exc.read())

    body = post("/_allauth/app/v1/auth/login", {"email": email, "password": password})
    token = body["meta"]["session_token"]
    if totp is not None and not body["meta"].get("is_authenticated"):
        body = post("/_allauth/app/v1/auth/2fa/authenticate", {"code": totp()}, token)
        token = body["meta"]["session_token"]
    return {"X-Session-Token": token}
