"""Reads for diary rows. Every selector takes the patient whose rows the viewer may see;
`accounts.scoping` decides who that is."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from accounts.models import User
from config.api.exceptions import NotFound
from diary.kinds import Kind
from diary.models import DiaryEntry


def entry_list(*, kind: Kind, patient: User) -> QuerySet[DiaryEntry]:
    return kind.model.objects.filter(patient=patient).order_by(*kind.ordering)


def entry_get(*, kind: Kind, patient: User, entry_id: uuid.UUID) -> DiaryEntry:
    try:
        return kind.model.objects.get(patient=patient, id=entry_id)
    except kind.model.DoesNotExist:
        raise NotFound() from None
