"""Send (`deliver`, in the worker): claim pending rows with a conditional UPDATE (pending ->
sending, with a lease), send, and record each outcome as soon as it is known, so a worker
killed mid-batch leaves at most the one in-flight delivery to be resent once its lease runs
out; the push Topic header and the notification tag make even that one replace, not
duplicate, the first.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.utils import timezone

from diary.models import ReportedDay
from diary.reminders import messages, tick, transports
from diary.reminders.models import Delivery, PushSubscription, Reminder
from diary.reminders.sql import update_returning
from diary.reminders.tick import (
    MAX_ATTEMPTS,
    REQUEUE_AFTER,
    RETRY_BASE_SECONDS,
    RETRY_MAX_SECONDS,
    SEND_LEASE,
    grace,
)

S = Delivery.Status


# --- sending ------------------------------------------------------------------------------
@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    missed: int = 0
    retried: int = 0
    skipped: int = 0
    gone_subscriptions: int = 0


def claim_for_sending(delivery_ids: Sequence[int], now: datetime) -> list[int]:
    """pending -> sending, atomically: of two workers given the same id, one gets it."""
    ids = [int(i) for i in delivery_ids]
    if not ids:
        return []
    rows = update_returning(
        set_sql="status = %s, claimed_at = %s, lease_until = %s, attempts = attempts + 1",
        set_params=[S.SENDING, now, now + SEND_LEASE],
        where_sql=f"status = %s AND id IN ({', '.join(['%s'] * len(ids))})",
        where_params=[S.PENDING, *ids],
    )
    return sorted(row[0] for row in rows)


def release(delivery_ids: Sequence[int], now: datetime) -> list[int]:
    """Give back what this worker claimed but did not get to (time limit); answer those ids."""
    held = Delivery.objects.filter(id__in=list(delivery_ids), status=S.SENDING)
    ids = list(held.values_list("id", flat=True))
    Delivery.objects.filter(id__in=ids, status=S.SENDING).update(status=S.PENDING, lease_until=now + REQUEUE_AFTER)
    return ids


def deliver(delivery_ids: Sequence[int], *, now: datetime | None = None, on_claimed=None) -> SendReport:
    now = now or timezone.now()
    report = SendReport()
    claimed = claim_for_sending(delivery_ids, now)
    report.skipped = len(set(delivery_ids)) - len(claimed)
    if on_claimed is not None:
        on_claimed(claimed)
    if not claimed:
        return report
    deliveries = list(
        Delivery.objects.filter(id__in=claimed).select_related("reminder__patient", "reminder__regimen").order_by("id")
    )
    subscriptions: dict = defaultdict(list)
    for subscription in PushSubscription.objects.filter(user_id__in={d.reminder.patient_id for d in deliveries}):
        subscriptions[subscription.user_id].append(subscription)
    channels = _Channels()
    retries: dict[int, list[int]] = defaultdict(list)
    ask_yesterday = _unreported_yesterdays(deliveries)
    try:
        for delivery in deliveries:
            outcome, detail, retry_after = _send_one(
                delivery, subscriptions, channels, now, report, ask_yesterday=delivery.id in ask_yesterday
            )
            _record(delivery, outcome, detail, retry_after, now, report, retries)
    finally:
        channels.close()
    if channels.ok_subscriptions:
        PushSubscription.objects.filter(id__in=channels.ok_subscriptions).update(last_success_at=now)
    for countdown, ids in retries.items():
        # Through the module: tests (and a future router) replace tick.enqueue_sends.
        tick.enqueue_sends(ids, countdown=countdown)
    return report


class _Channels:
    """Opened on first use: one HTTP session for push, one SMTP connection for email."""

    def __init__(self) -> None:
        self._push: transports.WebPushSender | None = None
        self._mail = None
        self.ok_subscriptions: set[int] = set()

    @property
    def web_push(self) -> transports.WebPushSender:
        if self._push is None:
            self._push = transports.WebPushSender(transports.new_session())
        return self._push

    @property
    def mail(self):
        if self._mail is None:
            self._mail = get_connection()
            self._mail.open()
        return self._mail

    def close(self) -> None:
        if self._push is not None:
            self._push.session.close()
        if self._mail is not None:
            self._mail.close()


def _unreported_yesterdays(deliveries: Sequence[Delivery]) -> set[int]:
    """Reminders (not snoozes or follow-ups) whose day before says nothing about cramps: they
    offer "No cramps yesterday". One query for the whole batch."""
    wanted = {
        d.id: (d.reminder.patient_id, messages.yesterday_of(d)) for d in deliveries if d.kind == Delivery.Kind.REMINDER
    }
    if not wanted:
        return set()
    reported = set(
        ReportedDay.objects.filter(
            patient_id__in={patient for patient, _ in wanted.values()},
            local_date__in={day for _, day in wanted.values()},
        ).values_list("patient_id", "local_date")
    )
    return {delivery_id for delivery_id, pair in wanted.items() if pair not in reported}


def _send_one(
    delivery: Delivery,
    subscriptions: dict,
    channels: _Channels,
    now: datetime,
    report: SendReport,
    *,
    ask_yesterday: bool = False,
):
    reminder = delivery.reminder
    patient = reminder.patient
    if now - delivery.fire_at > grace():
        return "missed", "too late to send", None
    if not patient.is_active:
        return transports.Outcome.FAILED, "the account is inactive", None
    if patient.deletion_requested_at is not None:
        return transports.Outcome.FAILED, "the account is being deleted", None
    results: list[transports.Result] = []
    if reminder.channel in (Reminder.Channel.PUSH, Reminder.Channel.BOTH):
        results += _send_push(delivery, subscriptions[patient.id], channels, now, report, ask_yesterday)
    if reminder.channel in (Reminder.Channel.EMAIL, Reminder.Channel.BOTH):
        subject, body = messages.email_message(delivery, ask_yesterday=ask_yesterday)
        results.append(transports.send_email(to=patient.email, subject=subject, body=body, connection=channels.mail))
    # One target reached is a delivery: retrying would send the reached one twice.
    for wanted in (transports.Outcome.OK, transports.Outcome.RETRY):
        matching = [r for r in results if r.outcome is wanted]
        if matching:
            retry_after = max((r.retry_after or 0 for r in matching), default=0) or None
            return wanted, "; ".join(r.detail for r in results if r.detail)[:200], retry_after
    return transports.Outcome.FAILED, "; ".join(r.detail for r in results if r.detail)[:200], None


def _send_push(
    delivery: Delivery, targets: list, channels: _Channels, now: datetime, report: SendReport, ask_yesterday: bool
):
    if not transports.push_enabled():
        return [transports.Result(transports.Outcome.FAILED, "push is not configured on the server")]
    if not targets:
        return [transports.Result(transports.Outcome.FAILED, "no device registered for push")]
    payload = messages.push_payload(delivery, ask_yesterday=ask_yesterday)
    ttl = int((delivery.fire_at + grace() - now).total_seconds())
    results = []
    for subscription in list(targets):
        result = channels.web_push.send(
            subscription.as_subscription_info(), payload, ttl=max(ttl, 60), topic=messages.notification_tag(delivery)
        )
        if result.outcome is transports.Outcome.GONE:
            # The browser unsubscribed or the subscription expired: it will never work again.
            PushSubscription.objects.filter(id=subscription.id).delete()
            targets.remove(subscription)
            report.gone_subscriptions += 1
        elif result.outcome is transports.Outcome.OK:
            channels.ok_subscriptions.add(subscription.id)
        results.append(result)
    return results


def _record(delivery, outcome, detail: str, retry_after, now: datetime, report: SendReport, retries) -> None:
    # Each row is written as soon as its outcome is known and only while this worker still
    # holds it (status = sending): a "Taken" pressed meanwhile is never overwritten.
    mine = Delivery.objects.filter(id=delivery.id, status=S.SENDING)
    if outcome == "missed":
        mine.update(status=S.MISSED, lease_until=None, last_error=detail)
        report.missed += 1
    elif outcome is transports.Outcome.OK:
        mine.update(status=S.SENT, sent_at=now, lease_until=None, last_error=detail)
        report.sent += 1
    elif outcome is transports.Outcome.RETRY and delivery.attempts < MAX_ATTEMPTS:
        countdown = retry_after or min(RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1), RETRY_MAX_SECONDS)
        countdown = round(countdown * random.uniform(1.0, 1.25))  # jitter: spread a burst of retries
        if mine.update(
            status=S.PENDING, lease_until=now + timedelta(seconds=countdown) + REQUEUE_AFTER, last_error=detail
        ):
            retries[countdown].append(delivery.id)
        report.retried += 1
    else:
        mine.update(status=S.FAILED, lease_until=None, last_error=detail or "failed")
        report.failed += 1
