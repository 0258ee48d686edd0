"""Celery tasks: thin wrappers that take ids and call `tick` or `send`.

Both are idempotent by construction (the tick's unique constraint and guarded advance;
the send's conditional pending -> sending claim), so they are acknowledged late: a worker
that dies mid-task has its message redelivered, and the redelivery does no harm.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from django.utils import timezone

from diary.reminders import send, tick

log = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(DatabaseError,), retry_backoff=5, max_retries=3)
def reminders_tick() -> dict[str, int]:
    report = tick.reminders_tick()
    if report.claimed or report.snoozes or report.follow_ups or report.requeued:
        log.info("reminders tick: %s", report.as_dict())
    return report.as_dict()


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
)
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    claimed: list[int] = []
    try:
        report = send.deliver(delivery_ids, on_claimed=claimed.extend)
    except SoftTimeLimitExceeded:
        # Hand back what this worker holds but did not send, rather than leave it to the lease.
        released = send.release(claimed, timezone.now())
        tick.enqueue_sends(released)
        log.warning("send_deliveries: time limit; %d deliveries enqueued again", len(released))
        return {"released": len(released)}
    return dict(report.__dict__)
