"""Writes for imports: accept a file, store its rows chunk by chunk through the diary's
idempotent sync path (`diary.services.sync_batch`), keep the progress and the per-row error
report, and clean up uploads.

Each row stands alone: a valid row is stored whatever its neighbours hold, a refused row
stores nothing (not even its reported day), and the report names its row, column and
reason. Sending the same file again stores nothing new (`diary.imports.parsing` derives
each row's id from a fingerprint).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from diary.imports.models import ImportJob
from diary.services import SyncItem, SyncItemResult, sync_batch

MAX_ERRORS = 1000

_CONFLICT_REASONS = {
    "conflict": "Already in the diary with other values (an earlier import of the same entry). Edit it in the app.",
    "checkin_exists": "There is already a check-in for this date. Edit that one in the app.",
    "id_taken": "This entry id belongs to another account.",
}


def import_request(*, patient: User, filename: str, data: bytes, format: str) -> ImportJob:
    """Keep the upload and queue the import (the file passed `parsing.check_file`)."""
    job = ImportJob(patient=patient, format=format, filename=filename[:200])
    job.upload.save("upload", ContentFile(data), save=False)
    job.save()
    from diary.imports.tasks import run_import

    transaction.on_commit(lambda: run_import.delay(str(job.id)))
    return job


def import_claim(*, import_id: uuid.UUID | str) -> ImportJob | None:
    """The job, if this worker is the one to run it (a redelivered message gets None)."""
    if not ImportJob.objects.filter(id=import_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    ):
        return None
    return ImportJob.objects.select_related("patient").get(id=import_id)


def import_set_total(*, job: ImportJob, total: int) -> None:
    job.total = total
    ImportJob.objects.filter(id=job.id).update(total=total)


def _error(result: SyncItemResult, number: int) -> dict:
    if result.status == "conflict":
        return {"row": number, "kind": result.kind, "column": "", "reason": _CONFLICT_REASONS[result.code]}
    field, messages = next(iter(result.errors.items()), ("", ["Refused."]))
    return {"row": number, "kind": result.kind, "column": field, "reason": messages[0]}


def import_store(*, job: ImportJob, rows: int, items: list[SyncItem], errors: Iterable[dict]) -> None:
    """Store one chunk's valid rows; add its counts, errors and progress to the job."""
    results = sync_batch(patient=job.patient, items=items) if items else []
    created = sum(1 for r in results if r.status == "created")
    unchanged = sum(1 for r in results if r.status == "unchanged")
    refused = [_error(r, r.index) for r in results if r.status in ("conflict", "invalid")]
    errors = sorted([*errors, *refused], key=lambda error: error["row"])
    failed_rows = len({error["row"] for error in errors})
    job.errors = (job.errors + errors)[:MAX_ERRORS]
    ImportJob.objects.filter(id=job.id).update(
        done=F("done") + rows,
        created=F("created") + created,
        unchanged=F("unchanged") + unchanged,
        failed=F("failed") + failed_rows,
        errors=job.errors,
    )


def import_finish(*, job: ImportJob, error: str = "") -> ImportJob:
    status = ImportJob.Status.FAILED if error else ImportJob.Status.DONE
    ImportJob.objects.filter(id=job.id).update(status=status, error=error[:200], finished_at=timezone.now())
    job.refresh_from_db()
    if job.upload:
        job.upload.delete(save=False)
        ImportJob.objects.filter(id=job.id).update(upload="")
    return job


def imports_delete_stale_uploads(*, now: datetime | None = None) -> int:
    """Uploads no worker has read within the export retention (a lost message, a dead worker)."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    count = 0
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(upload="").iterator():
        job.upload.delete(save=False)
        ImportJob.objects.filter(id=job.id).update(
            upload="", status=ImportJob.Status.FAILED, error="Not processed in time; send the file again."
        )
        count += 1
    return count
