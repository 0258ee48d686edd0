"""Reads for exports: the rows of a patient's diary and the export jobs a viewer may see."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from django.db.models import QuerySet

from accounts.models import User
from config.api.exceptions import NotFound
from diary.exports.models import ExportJob
from diary.kinds import KINDS, Kind
from diary.models import DiaryEntry

CHUNK = 1000


def diary_row_count(*, patient: User) -> int:
    return sum(kind.model.objects.filter(patient=patient).count() for kind in KINDS.values())


def diary_rows(*, patient: User, kind: Kind) -> Iterator[DiaryEntry]:
    """Oldest first (a file reads like a diary), streamed in chunks."""
    ordering = (*(name.lstrip("-") for name in kind.ordering), "id")
    rows = kind.model.objects.filter(patient=patient).order_by(*ordering)
    if kind.name == "skip":  # the FHIR resource names the regimen's supplement
        rows = rows.select_related("regimen")
    return rows.iterator(chunk_size=CHUNK)


def export_list(*, requested_by: User, patient: User) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(requested_by=requested_by, patient=patient)


def export_get(*, requested_by: User, patient: User, export_id: uuid.UUID) -> ExportJob:
    """Only the requester's own jobs, for this patient: anyone else's is a 404."""
    job = export_list(requested_by=requested_by, patient=patient).filter(id=export_id).first()
    if job is None:
        raise NotFound()
    return job
