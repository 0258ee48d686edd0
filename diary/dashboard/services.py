"""Per-patient dashboard numbers: computed by the same selectors as the trend, treatment-
response and adherence endpoints, stored in PatientSummary, refreshed in the background."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, Count, Max, Q, Value, When
from django.utils import timezone

from accounts.models import User
from diary import units
from diary.dashboard.models import PatientSummary
from diary.insights import selectors as insights
from diary.insights.windows import WindowError
from diary.models import LabResult, ObservedDay, SpasmEpisode


def summary_compute(patient: User) -> PatientSummary:
    today = patient.local_today()
    last_entry = ObservedDay.objects.filter(patient=patient).aggregate(d=Max("local_date"))["d"]
    recent_from, prior_from = today - timedelta(days=27), today - timedelta(days=55)
    counts = SpasmEpisode.objects.filter(patient=patient, local_date__gte=prior_from, local_date__lte=today).aggregate(
        recent=Count("id", filter=Q(local_date__gte=recent_from)),
        prior=Count("id", filter=Q(local_date__lt=recent_from)),
    )
    try:
        response = insights.treatment_response(patient=patient, today=today)
    except WindowError:
        # Too early to compare (the regimen starts today or later): nothing to say yet,
        # and never a reason to stop refreshing the other patients.
        response = None
    _, slots = insights.adherence_report(
        patient_ids=[patient.id], first=recent_from, last=today, today=today, supplements=units.VITAMIN_D_SUPPLEMENTS
    )
    adherence = slots.pooled_vitamin_d
    lab = (
        LabResult.objects.filter(patient=patient, analyte=units.VITAMIN_D_25OH)
        .order_by("-collected_on", "-created_at")
        .first()
    )
    comparison = response.response.comparison if response and response.response else None
    return PatientSummary(
        patient=patient,
        as_of=today,
        computed_at=timezone.now(),
        stale=False,
        last_entry_date=last_entry,
        episodes_last_28=counts["recent"],
        episodes_prior_28=counts["prior"],
        verdict=response.response.verdict if response and response.response else "not_enough_data",
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
    from diary.dashboard.tasks import refresh_patient_summaries

    ids = [str(pid) for pid in patient_ids]
    if ids:
        transaction.on_commit(lambda: refresh_patient_summaries.delay(ids))
