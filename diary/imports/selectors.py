"""Reads for imports, scoped to the patient who sent them."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from accounts.models import User
from config.api.exceptions import NotFound
from diary.imports.models import ImportJob


def import_list(*, patient: User) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(patient=patient)


def import_get(*, patient: User, import_id: uuid.UUID) -> ImportJob:
    job = import_list(patient=patient).filter(id=import_id).first()
    if job is None:
        raise NotFound()
    return job
