"""The beat tick and the send path: how a due reminder becomes exactly one notification.

Tick (every minute, `reminders_tick`):
1. In transactions of up to REMINDER_TICK_BATCH rows, claim the due reminders with
   SELECT ... FOR UPDATE OF reminder SKIP LOCKED: a second tick running at the same time
   skips rows the first holds and, once the first commits, no longer finds them due.
2. For each, `ReminderSchedule.due()` (memoised: a minute's reminders share a handful of
   schedules) decides the slot to send and the slots that are only recorded as missed.
3. Insert the Delivery rows with ON CONFLICT DO NOTHING ... RETURNING: the unique
   (reminder, scheduled_for, kind) constraint is the last word, so even two ticks with
   the same stale view of a reminder produce one row, and only the tick that inserted a
   row enqueues it.
4. Advance next_fire_at, guarded by the old value (a concurrent edit wins).
5. After commit, enqueue the new pending ids, REMINDER_SEND_BATCH per Celery message.
Then fire due snoozes and follow-ups (conditional UPDATE ... RETURNING claims) and put
back on the broker any delivery whose message or worker was lost (lease expired).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from diary.models import SupplementDose, SupplementRegimen
from diary.reminders.models import Delivery, Reminder
from diary.reminders.schedule import Due, ReminderSchedule
from diary.reminders.sql import TABLE, adapt, pg_rows, update_returning

log = logging.getLogger(__name__)

# How long a pending delivery may wait on the broker, and a worker may hold one, before the
# sweeper assumes the message or the worker is lost. Longer than the task's hard time limit.
REQUEUE_AFTER = timedelta(minutes=10)
SEND_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 30 * 60
SWEEP_LIMIT = 5_000

S = Delivery.Status
K = Delivery.Kind


def grace() -> timedelta:
    return timedelta(minutes=settings.REMINDER_GRACE_MINUTES)


def follow_up_window() -> timedelta:
    return timedelta(minutes=settings.REMINDER_FOLLOW_UP_MINUTES)


# --- the tick -----------------------------------------------------------------------------
@dataclass
class TickReport:
    claimed: int = 0
    enqueued: int = 0
    missed: int = 0
    snoozes: int = 0
    follow_ups: int = 0
    requeued: int = 0
    batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Row:
    """One delivery to insert."""

    reminder_id: int
    kind: str
    scheduled_for: datetime
    fire_at: datetime
    status: str
    lease_until: datetime | None = None
    follow_up_due_at: datetime | None = None


@dataclass
class _Plan:
    rows: list[_Row] = field(default_factory=list)
    # (reminder id, the next_fire_at we read, the new one, the zone it was computed in)
    advances: list[tuple[int, datetime, datetime | None, str]] = field(default_factory=list)


def reminders_tick(*, now: datetime | None = None, batch_size: int | None = None) -> TickReport:
    now = now or timezone.now()
    batch_size = batch_size or settings.REMINDER_TICK_BATCH
    report = TickReport()
    while True:
        with transaction.atomic():
            claimed = _claim_due(now, batch_size)
            if not claimed:
                break
            plan = _plan(claimed, now)
            inserted = _insert_deliveries(plan.rows, now)
            _advance(plan.advances)
            pending = [delivery_id for delivery_id, status in inserted if status == S.PENDING]
            transaction.on_commit(partial(enqueue_sends, pending), robust=True)
        report.batches += 1
        report.claimed += len(claimed)
        report.enqueued += len(pending)
        report.missed += len(inserted) - len(pending)
        if len(claimed) < batch_size:
            break
    report.snoozes = _fire_snoozes(now)
    report.follow_ups = _fire_follow_ups(now)
    report.requeued = requeue_lost(now)
    report.enqueued += report.snoozes + report.follow_ups + report.requeued
    return report


_CLAIM_COLUMNS = (
    "id",
    "next_fire_at",
    "local_time",
    "weekdays",
    "quiet_start",
    "quiet_end",
    "patient__time_zone",
    "regimen__frequency",
    "regimen__start_date",
    "regimen__end_date",
)


def _claim_due(now: datetime, limit: int) -> list[tuple]:
    """Lock up to `limit` due reminders, skipping any another tick holds; answer their schedules."""
    if connection.vendor == "postgresql":
        # The ORM's per-row conversions cost ~1 s per 100k rows; psycopg's own do not.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.id, r.next_fire_at, r.local_time, r.weekdays::text, r.quiet_start, r.quiet_end, "  # noqa: S608
                f"u.time_zone, g.frequency, g.start_date, g.end_date FROM {Reminder._meta.db_table} r "
                f"JOIN {User._meta.db_table} u ON u.id = r.patient_id "
                f"LEFT JOIN {SupplementRegimen._meta.db_table} g ON g.id = r.regimen_id "
                "WHERE r.enabled AND r.next_fire_at <= %s ORDER BY r.next_fire_at LIMIT %s "
                "FOR UPDATE OF r SKIP LOCKED",
                [now, limit],
            )
            return cursor.fetchall()
    return list(
        Reminder.objects.filter(enabled=True, next_fire_at__lte=now)
        .order_by("next_fire_at")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list(*_CLAIM_COLUMNS)[:limit]
    )


def _plan(claimed: list[tuple], now: datetime) -> _Plan:
    plan = _Plan()
    # A minute's reminders share a handful of schedules: compute each once.
    memo: dict[tuple, Due] = {}
    grace_period, window = grace(), follow_up_window()
    daily = SupplementRegimen.Frequency.DAILY
    for reminder_id, first, local_time, weekdays, q_start, q_end, tz, frequency, start, end in claimed:
        key = (
            first,
            local_time,
            weekdays if isinstance(weekdays, str) else tuple(weekdays),
            q_start,
            q_end,
            tz,
            start,
            end,
        )
        due = memo.get(key)
        if due is None:
            sched = ReminderSchedule.of(
                local_time=local_time,
                tz=tz,
                weekdays=json.loads(weekdays) if isinstance(weekdays, str) else weekdays,
                quiet_start=q_start,
                quiet_end=q_end,
                start_date=start,
                end_date=end,
            )
            due = memo[key] = sched.due(first=first, now=now, grace=grace_period)
        for slot in due.missed:
            plan.rows.append(_Row(reminder_id, K.REMINDER, slot, slot, S.MISSED))
        if due.send is not None:
            follow_up = due.send + window if frequency == daily else None
            plan.rows.append(
                _Row(reminder_id, K.REMINDER, due.send, due.send, S.PENDING, now + REQUEUE_AFTER, follow_up)
            )
        plan.advances.append((reminder_id, first, due.next, tz))
    return plan


_INSERT_COLUMNS = (
    "reminder_id",
    "kind",
    "scheduled_for",
    "fire_at",
    "status",
    "lease_until",
    "follow_up_due_at",
    "created_at",
    "attempts",
    "last_error",
)


def _insert_deliveries(rows: Sequence[_Row], now: datetime) -> list[tuple[int, str]]:
    """Insert what is not there yet; answer (id, status) of the rows this call inserted."""
    if not rows:
        return []
    table = TABLE
    columns = ", ".join(_INSERT_COLUMNS)
    conflict = "ON CONFLICT (reminder_id, scheduled_for, kind) DO NOTHING RETURNING id, status"
    if connection.vendor == "postgresql":
        # One statement for any number of rows: arrays in (binary), unnest() to rows. About
        # 1 s per 100k rows on this machine, against 3.2 s for bulk_create(ignore_conflicts).
        return pg_rows(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names are ours, values are parameters)
            "SELECT r, k, s, f, st, l, fu, %b, 0, '' FROM unnest("
            "%b::bigint[], %b::varchar[], %b::timestamptz[], %b::timestamptz[], %b::varchar[], "
            "%b::timestamptz[], %b::timestamptz[]) AS t(r, k, s, f, st, l, fu) " + conflict,
            [
                now,
                [r.reminder_id for r in rows],
                [r.kind for r in rows],
                [r.scheduled_for for r in rows],
                [r.fire_at for r in rows],
                [r.status for r in rows],
                [r.lease_until for r in rows],
                [r.follow_up_due_at for r in rows],
            ],
        )
    with connection.cursor() as cursor:
        inserted: list[tuple[int, str]] = []
        placeholders = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            params: list = []
            for r in chunk:
                values = (
                    r.reminder_id,
                    r.kind,
                    r.scheduled_for,
                    r.fire_at,
                    r.status,
                    r.lease_until,
                    r.follow_up_due_at,
                    now,
                    0,
                    "",
                )
                params += [adapt(name, value) for name, value in zip(_INSERT_COLUMNS, values, strict=True)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
                + ", ".join([placeholders] * len(chunk))
                + " "
                + conflict,
                params,
            )
            inserted += [(row[0], row[1]) for row in cursor.fetchall()]
        return inserted


def _advance(advances: Sequence[tuple[int, datetime, datetime | None, str]]) -> None:
    if not advances:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Reminder._meta.db_table} AS r SET next_fire_at = t.nxt, time_zone = t.tz "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::varchar[]) AS t(id, old, nxt, tz) "
                "WHERE r.id = t.id AND r.next_fire_at = t.old",
                [
                    [a[0] for a in advances],
                    [a[1] for a in advances],
                    [a[2] for a in advances],
                    [a[3] for a in advances],
                ],
            )
        return
    groups: dict[tuple, list[int]] = defaultdict(list)
    for reminder_id, old, new, tz in advances:
        groups[(old, new, tz)].append(reminder_id)
    for (old, new, tz), ids in groups.items():
        for start in range(0, len(ids), 500):
            Reminder.objects.filter(id__in=ids[start : start + 500], next_fire_at=old).update(
                next_fire_at=new, time_zone=tz
            )


def _requeue(now: datetime, *, where_sql: str, where_params: Sequence, order_by: str) -> list[int]:
    """Claim matching deliveries as pending (a fresh lease) and enqueue them after commit."""
    with transaction.atomic():
        rows = update_returning(
            set_sql="status = %s, lease_until = %s",
            set_params=[S.PENDING, now + REQUEUE_AFTER],
            where_sql=where_sql,
            where_params=where_params,
            order_by=order_by,
            limit=SWEEP_LIMIT,
        )
        ids = [row[0] for row in rows]
        transaction.on_commit(partial(enqueue_sends, ids), robust=True)
    return ids


def _fire_snoozes(now: datetime) -> int:
    """Snoozes whose time has come: scheduled -> pending, each exactly once."""
    return len(
        _requeue(now, where_sql="status = %s AND fire_at <= %s", where_params=[S.SCHEDULED, now], order_by="fire_at")
    )


def _fire_follow_ups(now: datetime) -> int:
    """One follow-up per daily slot still without a dose when its window closes."""
    with transaction.atomic():
        # Claiming clears follow_up_due_at, so a slot is considered once however many ticks run.
        claimed = update_returning(
            set_sql="follow_up_due_at = NULL",
            where_sql="follow_up_due_at <= %s",
            where_params=[now],
            order_by="follow_up_due_at",
            limit=SWEEP_LIMIT,
            returning="reminder_id, scheduled_for, status",
        )
        wanted = [(rid, _aware(slot)) for rid, slot, status in claimed if status not in (S.TAKEN, S.MISSED)]
        if not wanted:
            return 0
        info = {
            row[0]: row[1:]
            for row in Reminder.objects.filter(id__in={rid for rid, _ in wanted}).values_list(
                "id", "patient_id", "time_zone", "regimen_id", "regimen__supplement"
            )
        }
        taken = _doses_logged(info.values(), {_local_day(slot, info[rid][1]) for rid, slot in wanted if rid in info})
        rows = []
        for rid, slot in wanted:
            if rid not in info:
                continue
            patient_id, tz, regimen_id, supplement = info[rid]
            day = _local_day(slot, tz)
            if (patient_id, regimen_id, day) in taken or (patient_id, supplement, day) in taken:
                continue
            rows.append(_Row(rid, K.FOLLOW_UP, slot, now, S.PENDING, now + REQUEUE_AFTER))
        ids = [delivery_id for delivery_id, _ in _insert_deliveries(rows, now)]
        transaction.on_commit(partial(enqueue_sends, ids), robust=True)
    return len(ids)


def _aware(value) -> datetime:
    # Raw cursors on SQLite answer text; PostgreSQL answers aware datetimes.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))


def _local_day(slot: datetime, tz: str):
    return slot.astimezone(ZoneInfo(tz)).date()


def _doses_logged(reminders: Iterable[tuple], days: set) -> set[tuple]:
    """{(patient, regimen, day)} and {(patient, supplement, day)} for doses on those days.

    A dose logged by hand counts when it names the regimen, or names no regimen but is
    the same supplement: either way the patient took it and must not be nagged.
    """
    reminders = list(reminders)
    patients = {r[0] for r in reminders}
    supplements = {r[3] for r in reminders if r[3]}
    regimens = {r[2] for r in reminders if r[2]}
    found: set[tuple] = set()
    doses = SupplementDose.objects.filter(patient_id__in=patients, local_date__in=days).filter(
        Q(regimen_id__in=regimens) | Q(regimen__isnull=True, supplement__in=supplements)
    )
    for patient_id, regimen_id, supplement, day in doses.values_list(
        "patient_id", "regimen_id", "supplement", "local_date"
    ):
        if regimen_id is not None:
            found.add((patient_id, regimen_id, day))
        else:
            found.add((patient_id, supplement, day))
    return found


def requeue_lost(now: datetime) -> int:
    """Put back on the broker deliveries whose message or worker was lost (lease expired)."""
    ids = _requeue(
        now,
        where_sql="status IN (%s, %s) AND lease_until < %s",
        where_params=[S.PENDING, S.SENDING, now],
        order_by="lease_until",
    )
    if ids:
        log.warning("reminders: %d deliveries lost their message or worker; enqueued again", len(ids))
    return len(ids)


def enqueue_sends(delivery_ids: Sequence[int], *, countdown: float | None = None) -> None:
    """REMINDER_SEND_BATCH ids per message, all on one producer connection."""
    if not delivery_ids:
        return
    from diary.reminders.tasks import send_deliveries

    size = settings.REMINDER_SEND_BATCH
    with send_deliveries.app.producer_or_acquire() as producer:
        for start in range(0, len(delivery_ids), size):
            send_deliveries.apply_async(
                args=[list(delivery_ids[start : start + size])], countdown=countdown, producer=producer
            )
