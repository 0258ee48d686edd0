"""Issue 5's target: one beat tick claims 100,000 reminders due in the same minute, writes
their deliveries and enqueues their sends in at most 10 s, on PostgreSQL and Redis on this
2-core machine. Also timed at 10,000, with each phase of the tick.

Runs in a child interpreter with its own database (`bench_reminders`, dropped and created
here; never the test database) and its own Redis queue (`bench-reminders`, emptied after
each run, so no worker picks the messages up). `python -m bench.reminders_tick` runs it alone.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from bench.common import PG_ADMIN_URL, REDIS_URL, ROOT, bench_database

SIZES = (10_000, 100_000)
TARGET_SECONDS = 10.0
DATABASE = "bench_reminders"
QUEUE = "bench-reminders"
# Where 100,000 patients due in one minute might live: their reminders ring at different
# local times that fall on the same UTC minute.
ZONES = (
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Africa/Lagos",
    "Europe/Athens",
    "Africa/Cairo",
    "Asia/Dubai",
    "America/Sao_Paulo",
    "America/New_York",
)


def run() -> None:
    """Entry point for bench/run.py."""
    from diary.reminders.transports import generate_vapid_keys

    private, public = generate_vapid_keys()
    # BENCH_REMINDERS_REUSE=1 keeps the database of the last run (its setup takes a minute).
    reuse = os.environ.get("BENCH_REMINDERS_REUSE") == "1"
    url = bench_database(DATABASE) if not reuse else f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{DATABASE}"
    env = {
        **os.environ,
        "BENCH_REMINDERS_DATABASE_URL": url,
        "WEBPUSH_VAPID_PRIVATE_KEY": private,
        "WEBPUSH_VAPID_PUBLIC_KEY": public,
        "WEBPUSH_VAPID_SUBJECT": "mailto:bench@example.com",
    }
    subprocess.run([sys.executable, "-m", "bench.reminders_tick"], cwd=ROOT, env=env, check=True)


# --- in the child -------------------------------------------------------------------------
def _create(total: int, due_at: datetime) -> None:
    from zoneinfo import ZoneInfo

    from accounts.models import User
    from diary.models import SupplementRegimen
    from diary.reminders.models import Reminder

    started = time.perf_counter()
    users = [
        User(email=f"bench{i}@example.com", password="!", role="patient", time_zone=ZONES[i % len(ZONES)])
        for i in range(total)
    ]
    User.objects.bulk_create(users, batch_size=5000)
    regimens, reminders = [], []
    for i, user in enumerate(users):
        local = due_at.astimezone(ZoneInfo(user.time_zone))
        kind = i % 10  # 7 in 10 daily, 2 on chosen weekdays, 1 weekly: all due today
        weekdays = [] if kind < 7 else sorted({local.isoweekday(), 1, 3, 5}) if kind < 9 else [local.isoweekday()]
        frequency = "daily" if kind < 7 else "weekdays" if kind < 9 else "weekly"
        regimen = SupplementRegimen(
            patient=user,
            local_date=local.date() - timedelta(days=30),
            time_zone=user.time_zone,
            recorded_at=due_at,
            supplement="vitamin_d3",
            amount=1000 if frequency != "weekly" else 50000,
            unit="IU",
            amount_normalised=1000 if frequency != "weekly" else 50000,
            normalised_unit="IU",
            frequency=frequency,
            weekdays=weekdays,
            start_date=local.date() - timedelta(days=30),
        )
        regimens.append(regimen)
        reminders.append(
            Reminder(
                patient=user,
                regimen=regimen,
                local_time=local.time().replace(tzinfo=None),
                weekdays=weekdays,
                channel="push" if i % 4 else "both",
                time_zone=user.time_zone,
                next_fire_at=due_at,
            )
        )
    SupplementRegimen.objects.bulk_create(regimens, batch_size=5000)
    Reminder.objects.bulk_create(reminders, batch_size=5000)
    print(f"  setup: {total:,} patients, regimens and reminders in {time.perf_counter() - started:.1f} s")


def _reset(due: int, due_at: datetime) -> None:
    """`due` reminders due at `due_at`, the rest tomorrow; no deliveries; fresh statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reminders_delivery")
        cursor.execute(
            "UPDATE reminders_reminder SET next_fire_at = CASE WHEN id <= "
            "(SELECT id FROM reminders_reminder ORDER BY id OFFSET %s LIMIT 1) THEN %s ELSE %s END",
            [due - 1, due_at, due_at + timedelta(days=1)],
        )
        cursor.execute("VACUUM ANALYZE reminders_reminder")
        cursor.execute("VACUUM ANALYZE reminders_delivery")


class _Phases:
    """Wall time spent in each step of the tick, by wrapping the tick module's functions."""

    NAMES = ("_claim_due", "_plan", "_insert_deliveries", "_advance", "enqueue_sends")

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def install(self) -> None:
        from diary.reminders import tick

        for name in self.NAMES:
            original = getattr(tick, name)

            def timed(*args, _original=original, _name=name, **kwargs):
                started = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.seconds[_name] += time.perf_counter() - started

            setattr(tick, name, timed)


def _queue_length(client) -> int:
    return sum(client.llen(key) for key in client.scan_iter(f"{QUEUE}*") if client.type(key) == b"list")


def _purge(client) -> None:
    for key in client.scan_iter(f"{QUEUE}*"):
        client.delete(key)
    client.delete(f"_kombu.binding.{QUEUE}")


def child() -> None:
    from bench.common import setup_django

    setup_django(os.environ["BENCH_REMINDERS_DATABASE_URL"])
    import redis
    from django.conf import settings
    from django.db import connection

    from config.celery_app import app
    from diary.reminders import tick
    from diary.reminders.models import Delivery

    app.conf.task_default_queue = QUEUE  # no worker listens here: the messages are counted, then dropped
    client = redis.Redis.from_url(REDIS_URL)
    _purge(client)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    print(
        f"Reminders tick (issue 5): PostgreSQL {server}, Redis at {REDIS_URL}, {os.cpu_count()} cores; "
        f"{settings.REMINDER_TICK_BATCH:,} reminders per transaction, {settings.REMINDER_SEND_BATCH} ids per message"
    )
    due_at = (datetime.now(UTC) + timedelta(minutes=5)).replace(second=0, microsecond=0)
    from diary.reminders.models import Reminder

    if Reminder.objects.count() < max(SIZES):
        _create(max(SIZES), due_at)
    phases = _Phases()
    phases.install()
    header = (
        f"  {'due':>8} {'tick s':>7} {'rows/s':>9} {'claim':>6} {'plan':>6} {'insert':>6} "
        f"{'advance':>7} {'enqueue':>7} {'other':>6} {'messages':>8}  target"
    )
    print(header)
    results = {}
    for size in SIZES:
        _reset(size, due_at)
        _purge(client)
        phases.seconds.clear()
        started = time.perf_counter()
        report = tick.reminders_tick(now=due_at + timedelta(seconds=30))
        elapsed = time.perf_counter() - started
        messages = _queue_length(client)
        delivered = Delivery.objects.filter(status="pending").count()
        _purge(client)
        problems = []
        if report.claimed != size or delivered != size:
            problems.append(f"claimed {report.claimed:,}, {delivered:,} deliveries")
        if messages != math.ceil(size / settings.REMINDER_SEND_BATCH):
            problems.append(f"{messages} messages on the queue")
        accounted = sum(phases.seconds.values())
        s = phases.seconds
        verdict = (
            f"<= {TARGET_SECONDS:g} s " + ("ok" if elapsed <= TARGET_SECONDS else "MISSED") if size == 100_000 else ""
        )
        print(
            f"  {size:>8,} {elapsed:>7.2f} {size / elapsed:>9,.0f} {s['_claim_due']:>6.2f} {s['_plan']:>6.2f} "
            f"{s['_insert_deliveries']:>6.2f} {s['_advance']:>7.2f} {s['enqueue_sends']:>7.2f} "
            f"{elapsed - accounted:>6.2f} {messages:>8}  {verdict}"
        )
        if problems:
            print(f"    WRONG: {'; '.join(problems)}")
        results[size] = elapsed
    print("  (claim: SELECT ... FOR UPDATE SKIP LOCKED; plan: schedule arithmetic in Python; insert: INSERT ... ")
    print("   SELECT unnest() ON CONFLICT DO NOTHING; advance: UPDATE ... FROM unnest(); other: commits and the")
    print("   snooze, follow-up and lost-message passes)")


if __name__ == "__main__":
    if "BENCH_REMINDERS_DATABASE_URL" in os.environ:
        child()
    else:
        run()
