"""Per-patient dashboard numbers: computed by the same functions as the trend endpoints,
stored in PatientSummary, refreshed in the background."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Case, Count, Max, Q, Value, When
from django.utils import timezone

from accounts.models import User
from diary import trends, units
from diary.models import LabResult, ObservedDay, PatientSummary, SpasmEpisode


def summary_compute(patient: User) -> PatientSummary:
    today = timezone.localdate(timezone=patient.zone)
    last_entry = ObservedDay.objects.filter(patient=patient).aggregate(d=Max("local_date"))["d"]
    recent_from, prior_from = today - timedelta(days=27), today - timedelta(days=55)
    counts = SpasmEpisode.objects.filter(patient=patient, local_date__gte=prior_from, local_date__lte=today).aggregate(
        recent=Count("id", filter=Q(local_date__gte=recent_from)),
        prior=Count("id", filter=Q(local_date__lt=recent_from)),
    )
    response = trends.treatment_response(patient=patient, today=today)
    regimens = trends.vitamin_d_regimens(patient)
    adherence = trends.regimen_adherence(patient, regimens, recent_from, today).ratio if regimens else None
    lab = (
        LabResult.objects.filter(patient=patient, analyte=units.VITAMIN_D_25OH)
        .order_by("-collected_on", "-created_at")
        .first()
    )
    comparison = response.response.comparison if response.response else None
    return PatientSummary(
        patient=patient,
        as_of=today,
        computed_at=timezone.now(),
        stale=False,
        last_entry_date=last_entry,
        episodes_last_28=counts["recent"],
        episodes_prior_28=counts["prior"],
        verdict=response.response.verdict if response.response else "not_enough_data",
        rate_ratio=comparison.rate_ratio if comparison and comparison.rate_ratio not in (None, float("inf")) else None,
        adherence_28=adherence,
        vitamin_d_ng_ml=lab.value_normalised if lab else None,
        vitamin_d_category=lab.category if lab else "",
        vitamin_d_collected_on=lab.collected_on if lab else None,
    )


SUMMARY_FIELDS = [f.name for f in PatientSummary._meta.fields if f.name not in ("patient", "stale", "stale_since")]


def summaries_refresh(patient_ids: Iterable[uuid.UUID | str]) -> list[uuid.UUID]:
    """Recompute and store summaries; return the ids still stale (written to meanwhile)."""
    still_stale = []
    for patient in User.objects.filter(id__in=list(patient_ids), role=User.Role.PATIENT):
        started = timezone.now()
        summary = summary_compute(patient)
        values = {name: getattr(summary, name) for name in SUMMARY_FIELDS}
        # A write during the computation set stale_since after `started`: the row stays
        # stale, so that write is not lost behind numbers computed before it.
        keep_stale = Case(When(stale_since__gt=started, then=Value(True)), default=Value(False))
        if not PatientSummary.objects.filter(patient=patient).update(**values, stale=keep_stale):
            PatientSummary.objects.bulk_create([summary], ignore_conflicts=True)
        if PatientSummary.objects.filter(patient=patient, stale=True).exists():
            still_stale.append(patient.id)
    return still_stale


def summary_mark_stale(patient_id: uuid.UUID) -> None:
    """Called by every diary write. Queues a refresh only when the row was fresh, so a
    burst of writes costs one background refresh."""
    now = timezone.now()
    if PatientSummary.objects.filter(patient_id=patient_id, stale=False).update(stale=True, stale_since=now):
        queue_refresh([patient_id])
    else:
        PatientSummary.objects.filter(patient_id=patient_id).update(stale_since=now)


def queue_refresh(patient_ids: Iterable[uuid.UUID]) -> None:
    from diary.tasks import refresh_patient_summaries

    ids = [str(pid) for pid in patient_ids]
    if ids:
        transaction.on_commit(lambda: refresh_patient_summaries.delay(ids))


def summaries_needing_refresh(limit: int = 5000) -> list[uuid.UUID]:
    """Stale rows, rows whose local day has rolled over, and patients with a link but no row."""
    now = timezone.now()
    due = [
        patient_id
        for patient_id, as_of, stale, zone in PatientSummary.objects.values_list(
            "patient_id", "as_of", "stale", "patient__time_zone"
        )
        if stale or as_of != timezone.localdate(now, timezone=ZoneInfo(zone))
    ]
    missing = (
        User.objects.filter(
            role=User.Role.PATIENT, clinician_links__revoked_at__isnull=True, diary_summary__isnull=True
        )
        .values_list("id", flat=True)
        .distinct()
    )
    return (due + list(missing))[:limit]
