"""The import worker: reads the upload chunk by chunk and stores each through the service."""

from __future__ import annotations

import logging

from celery import shared_task

from config.api.exceptions import ValidationFailed
from diary.imports import parsing, services

log = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=600, time_limit=660)
def run_import(import_id: str) -> None:
    job = services.import_claim(import_id=import_id)
    if job is None:
        return  # another worker has it, or it is finished
    try:
        with job.upload.open("rb") as upload:
            data = upload.read()
        parsed = parsing.read_file(patient=job.patient, format=job.format, data=data)
        services.import_set_total(job=job, total=parsed.total)
        for chunk in parsed.chunks:
            services.import_store(
                job=job, rows=chunk.rows, items=chunk.items, errors=[e.as_dict() for e in chunk.errors]
            )
    except ValidationFailed as exc:
        services.import_finish(job=job, error=exc.message)
        return
    except Exception:
        log.exception("import %s failed", import_id)
        services.import_finish(job=job, error="The import failed on the server; the rows stored so far are kept.")
        raise
    services.import_finish(job=job)
