"""Per-patient dashboard numbers: computed by the same selectors as the trend, treatment-
response and adherence endpoints, stored in PatientSummary, refreshed in the background."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, Max, Q, Value, When
from django.utils import timezone

from accounts.models import User
from diary import labs, units
from diary import selectors as diary_selectors
from diary.dashboard import flags
from diary.dashboard.models import PatientSummary
from diary.insights import cache as answers_cache
from diary.insights import selectors as insights
from diary.insights.adherence import Adherence
from diary.models import LabResult, ReportedDay, SpasmEpisode, SupplementRegimen

log = logging.getLogger(__name__)


def summary_compute(patient: User) -> PatientSummary:
    today = patient.local_today()
    last_reported = ReportedDay.objects.filter(patient=patient).aggregate(d=Max("local_date"))["d"]
    recent_from, prior_from = today - timedelta(days=27), today - timedelta(days=55)
    counts = SpasmEpisode.objects.filter(patient=patient, local_date__gte=prior_from, local_date__lte=today).aggregate(
        recent=Count("id", filter=Q(local_date__gte=recent_from)),
        prior=Count("id", filter=Q(local_date__lt=recent_from)),
    )
    response = insights.treatment_response(patient=patient, today=today)
    regimens = list(SupplementRegimen.objects.filter(patient=patient).order_by("start_date", "created_at"))
    in_range = [r for r in regimens if r.start_date <= today and not (r.end_date and r.end_date < recent_from)]
    slots = insights.adherence_for(regimens=in_range, first=recent_from, last=today, today=today)
    readings = _lab_readings(patient)
    latest = labs.latest(readings)
    vitamin_d = latest.get(units.VITAMIN_D_25OH)
    supplementing = any(
        r.supplement in units.VITAMIN_D_SUPPLEMENTS
        and r.start_date <= today
        and not (r.end_date and r.end_date < today)
        for r in regimens
    )
    facts = flags.Facts(
        today=today,
        last_reported_day=last_reported,
        verdict=response.verdict,
        vitamin_d_ng_ml=vitamin_d.value if vitamin_d else None,
        vitamin_d_collected_on=vitamin_d.collected_on if vitamin_d else None,
        vitamin_d_dates=tuple(r.collected_on for r in readings if r.analyte == units.VITAMIN_D_25OH),
        regimens=tuple(_regimen_facts(r, slots) for r in regimens),
        lab_patterns=tuple(labs.patterns(latest, supplementing=supplementing)),
        dose_alerts=tuple(diary_selectors.dose_alerts(patient, recent_from, today)),
    )
    primary = response.models.get("negative_binomial")
    found = flags.flags_for(facts)
    return PatientSummary(
        patient=patient,
        as_of=today,
        computed_at=timezone.now(),
        stale=False,
        last_reported_day=last_reported,
        episodes_last_28=counts["recent"],
        episodes_prior_28=counts["prior"],
        verdict=response.verdict,
        rate_ratio=primary.rate_ratio if primary and primary.rate_ratio not in (None, float("inf")) else None,
        adherence_28=slots.pooled_vitamin_d,
        vitamin_d_ng_ml=vitamin_d.value if vitamin_d else None,
        vitamin_d_category=units.vitamin_d_category(vitamin_d.value) if vitamin_d else "",
        vitamin_d_collected_on=vitamin_d.collected_on if vitamin_d else None,
        flags=[flag.as_dict() for flag in found],
        flag_count=len(found),
        flag_codes=" " + " ".join(sorted({flag.code for flag in found})) + " " if found else "",
    )


def _regimen_facts(regimen: SupplementRegimen, slots: Adherence) -> flags.RegimenFacts:
    tally = slots.for_plan(regimen.id).tally
    return flags.RegimenFacts(
        id=str(regimen.id),
        name=f"{regimen.description} ({regimen.phase})",
        supplement=regimen.supplement,
        vitamin_d=regimen.supplement in units.VITAMIN_D_SUPPLEMENTS,
        loading=regimen.phase == SupplementRegimen.Phase.LOADING,
        start=regimen.start_date,
        end=regimen.end_date,
        taken=tally.taken,
        decided=tally.scheduled,
    )


def _lab_readings(patient: User) -> list[labs.Reading]:
    return [r.reading for r in LabResult.objects.filter(patient=patient).order_by("collected_on", "created_at")]


SUMMARY_FIELDS = [f.name for f in PatientSummary._meta.fields if f.name not in ("patient", "stale", "stale_since")]


def summaries_refresh(patient_ids: Iterable[uuid.UUID | str]) -> list[uuid.UUID]:
    """Recompute and store summaries; return the ids still stale (written to meanwhile)."""
    still_stale = []
    for patient in User.objects.filter(id__in=list(patient_ids), role=User.Role.PATIENT):
        started = timezone.now()
        try:
            summary = summary_compute(patient)
        except Exception:
            # One patient's data must never stop the refresh of everyone after them in the
            # batch: log it (with the traceback) and leave that summary stale.
            log.exception("dashboard: the summary of patient %s could not be computed", patient.id)
            still_stale.append(patient.id)
            continue
        values = {name: getattr(summary, name) for name in SUMMARY_FIELDS}
        # A write during the computation set stale_since after `started`: the row stays
        # stale, so that write is not lost behind numbers computed before it.
        keep_stale = Case(When(stale_since__gt=started, then=Value(True)), default=Value(False))
        if not PatientSummary.objects.filter(patient=patient).update(**values, stale=keep_stale):
            PatientSummary.objects.bulk_create([summary], ignore_conflicts=True)
        if PatientSummary.objects.filter(patient=patient, stale=True).exists():
            still_stale.append(patient.id)
    return still_stale


def diary_changed(patient_id: uuid.UUID) -> None:
    """Called by every diary write, inside its transaction: the dashboard's numbers are out
    of date, and so are the cached answers (`diary.insights.cache`)."""
    summary_mark_stale(patient_id)
    answers_cache.bump([patient_id])


_MARK_STALE_SQL = """
UPDATE diary_patientsummary AS s SET stale = %s, stale_since = %s
FROM diary_patientsummary AS old
WHERE s.patient_id = %s AND old.patient_id = s.patient_id
RETURNING old.stale
"""


def summary_mark_stale(patient_id: uuid.UUID) -> None:
    """One statement: mark the row stale and learn whether it was fresh (the self-join reads
    the row as it was). Only a fresh row queues a refresh, so a burst of writes costs one
    background refresh; stale_since always moves, so a refresh running meanwhile keeps the
    row stale (summaries_refresh). A patient without a linked clinician has no row: nothing."""
    now = timezone.now()
    if connection.vendor != "postgresql":  # SQLite's RETURNING cannot read the joined row
        if PatientSummary.objects.filter(patient_id=patient_id, stale=False).update(stale=True, stale_since=now):
            queue_refresh([patient_id])
        else:
            PatientSummary.objects.filter(patient_id=patient_id).update(stale_since=now)
        return
    pk = PatientSummary._meta.pk.get_db_prep_value(patient_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(_MARK_STALE_SQL, [True, now, pk])
        row = cursor.fetchone()
    if row is not None and not row[0]:
        queue_refresh([patient_id])


def queue_refresh(patient_ids: Iterable[uuid.UUID]) -> None:
    from diary.dashboard.tasks import refresh_patient_summaries

    ids = [str(pid) for pid in patient_ids]
    if ids:
        # robust: a broker outage must never turn a committed write into a 500. The refresh
        # is not lost: the row stays stale and the hourly beat task picks it up.
        transaction.on_commit(lambda: refresh_patient_summaries.delay(ids), robust=True)
