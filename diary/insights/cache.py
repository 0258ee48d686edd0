"""Per-patient caching of the answers that cost most to compute (the treatment response
with its models, a long trend series), keyed by a version every diary write bumps.

The version lives in the cache itself (Redis in production): a write bumps it after its
transaction commits, so a read either finds an answer computed from the current rows or
computes one. If the cache loses the version (a restart, an eviction), a fresh random one
takes its place, and every older answer becomes unreachable: never stale, only recomputed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
ANSWER_SECONDS = 24 * 3600


def _version_key(patient_id: uuid.UUID | str) -> str:
    return f"diary-version:{patient_id}"


def version(patient_id: uuid.UUID | str) -> str:
    key = _version_key(patient_id)
    current = cache.get(key)
    if current is None:
        current = uuid.uuid4().int % 10**12
        if not cache.add(key, current, None):  # another process set one first: use it
            current = cache.get(key, current)
    return str(current)


def bump(patient_ids: Iterable[uuid.UUID | str]) -> None:
    """After the writing transaction commits (inside one, on commit)."""
    ids = list(patient_ids)

    def go() -> None:
        for patient_id in ids:
            try:
                cache.incr(_version_key(patient_id))
            except ValueError:  # no version yet, or it was evicted: any fresh one will do
                cache.set(_version_key(patient_id), uuid.uuid4().int % 10**12, None)

    transaction.on_commit(go, robust=True)


def cached(patient_id: uuid.UUID | str, parts: tuple, compute: Callable[[], T]) -> T:
    # Hashed: the parts hold names, dates and spaces, which cache keys should not.
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"diary-answer:{patient_id}:{version(patient_id)}:{digest}"
    found: Any = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, ANSWER_SECONDS)
    return found
