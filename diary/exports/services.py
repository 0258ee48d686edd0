"""Writes for exports: ask for one, build it (in the request when small, else in a worker
that reports progress), and delete files past their retention."""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.api.exceptions import ValidationFailed
from diary.exports import formats, selectors
from diary.exports.models import ExportJob
from diary.kinds import KINDS

log = logging.getLogger(__name__)

EXTENSIONS = {ExportJob.Format.CSV: "zip", ExportJob.Format.JSON: "json", ExportJob.Format.FHIR: "fhir.json"}
CONTENT_TYPES = {
    ExportJob.Format.CSV: "application/zip",
    ExportJob.Format.JSON: "application/json",
    ExportJob.Format.FHIR: "application/fhir+json",
}


def retention() -> timedelta:
    return timedelta(hours=settings.EXPORT_RETENTION_HOURS)


def export_request(*, requested_by: User, patient: User, format: str) -> ExportJob:
    """A new export job. Up to EXPORT_SYNC_MAX_ROWS rows it is built before this returns
    (status done); larger diaries are queued for a worker (status queued)."""
    if format not in ExportJob.Format.values:
        raise ValidationFailed.field("format", f"Use one of: {', '.join(ExportJob.Format.values)}.", "invalid_choice")
    now = timezone.now()
    total = selectors.diary_row_count(patient=patient)
    job = ExportJob.objects.create(
        requested_by=requested_by, patient=patient, format=format, total=total, expires_at=now + retention()
    )
    if total <= settings.EXPORT_SYNC_MAX_ROWS:
        return export_build(export_id=job.id)
    from diary.exports.tasks import build_export

    transaction.on_commit(lambda: build_export.delay(str(job.id)))
    return job


def export_build(*, export_id: uuid.UUID | str, now: datetime | None = None) -> ExportJob:
    """Build the file. Claimed with a conditional UPDATE, so a redelivered task message
    does not build it twice."""
    if not ExportJob.objects.filter(id=export_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    ):
        return ExportJob.objects.get(id=export_id)
    job = ExportJob.objects.select_related("patient").get(id=export_id)
    patient = job.patient
    exported_at = now or timezone.now()
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        if count:
            done += count
            ExportJob.objects.filter(id=job.id).update(done=done)

    rows = {name: selectors.diary_rows(patient=patient, kind=kind) for name, kind in KINDS.items()}
    try:
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
            if job.format == ExportJob.Format.CSV:
                formats.csv_zip(patient, rows, out, exported_at=exported_at, advance=advance)
            elif job.format == ExportJob.Format.JSON:
                formats.json_document(patient, rows, out, exported_at=exported_at, advance=advance)
            else:
                formats.fhir_bundle(
                    patient,
                    rows,
                    out,
                    exported_at=exported_at,
                    advance=advance,
                    bundle_id=str(job.id),
                    today=patient.local_today(),
                )
            size = out.tell()
            out.seek(0)
            name = f"spasm-diary-{exported_at:%Y-%m-%d}.{EXTENSIONS[job.format]}"
            job.file.save(name, File(out), save=False)
    except Exception as exc:
        log.exception("export %s failed", job.id)
        ExportJob.objects.filter(id=job.id).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:200], finished_at=timezone.now()
        )
        raise
    finished = timezone.now()
    ExportJob.objects.filter(id=job.id).update(
        status=ExportJob.Status.DONE,
        file=job.file.name,
        size_bytes=size,
        done=max(done, job.total),
        total=max(done, job.total),
        finished_at=finished,
        expires_at=finished + retention(),
    )
    job.refresh_from_db()
    return job


def exports_delete_expired(*, now: datetime | None = None) -> int:
    """Jobs (and their files, through the model's post_delete) past their expiry."""
    expired = ExportJob.objects.filter(expires_at__lte=now or timezone.now())
    count = 0
    for job in expired.iterator():
        job.delete()
        count += 1
    return count
