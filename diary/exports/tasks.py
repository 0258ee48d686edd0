"""Background work for exports and the retention of uploaded and built files."""

from __future__ import annotations

from celery import shared_task

from diary.exports import services
from diary.imports import services as import_services


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=600, time_limit=660)
def build_export(export_id: str) -> None:
    # Claimed by a conditional UPDATE: a redelivered message finds the job taken and stops.
    services.export_build(export_id=export_id)


@shared_task(ignore_result=True)
def delete_expired_exports() -> dict[str, int]:
    """Beat, hourly: export files past EXPORT_RETENTION_HOURS, and uploads no worker read."""
    return {
        "exports": services.exports_delete_expired(),
        "uploads": import_services.imports_delete_stale_uploads(),
    }
