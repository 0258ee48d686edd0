"""Background work for the dashboard: keeping the stored summaries current."""

from __future__ import annotations

from celery import shared_task

from diary.dashboard import selectors, services

BATCH = 200


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def refresh_patient_summaries(patient_ids: list[str]) -> int:
    """Idempotent (recomputing a summary twice gives the same row), so acks_late is safe."""
    still_stale = services.summaries_refresh(patient_ids)
    if still_stale:  # written to while we computed: once more with the new rows
        services.queue_refresh(still_stale)
    return len(patient_ids)


@shared_task
def refresh_due_summaries() -> int:
    """Beat, hourly: rows whose local day rolled over, stale rows, linked patients with none."""
    due = selectors.summaries_needing_refresh()
    for begin in range(0, len(due), BATCH):
        refresh_patient_summaries.delay([str(pid) for pid in due[begin : begin + BATCH]])
    return len(due)
