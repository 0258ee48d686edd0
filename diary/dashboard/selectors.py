"""Reads for the clinician dashboard: one row per linked patient, and which summaries are
due for a refresh.

One query reads every linked patient with their stored summary, whatever their number;
flags and sorting are plain Python over those rows. Missing or stale summaries are queued
for a background refresh and shown as "updating".
"""

from __future__ import annotations

import uuid
from datetime import date

from django.utils import timezone

from accounts.models import CareLink, User, local_today_in
from diary.dashboard.models import PatientSummary
from diary.dashboard.rows import SUMMARY_COLUMNS, DashboardRow, Summary, sort_rows
from diary.dashboard.services import queue_refresh


def dashboard_rows(
    *, clinician: User, ordering: str = "flags", flag: str | None = None, search: str | None = None
) -> list[DashboardRow]:
    # Plain values, not model instances: 500 patients with their summaries in one query
    # and no per-row object construction (which dominated this endpoint's latency).
    values = (
        CareLink.objects.active()
        .filter(clinician=clinician)
        .order_by()
        .values_list(
            "patient_id",
            "patient__email",
            "patient__name",
            "patient__date_of_birth",
            "patient__time_zone",
            "created_at",
            *SUMMARY_COLUMNS,
        )
    )
    now = timezone.now()
    today_in: dict[str, date] = {}
    rows = []
    for patient_id, email, name, dob, zone, linked_at, *summary_values in values:
        today = today_in.get(zone)
        if today is None:
            today = today_in[zone] = local_today_in(zone, now)
        summary = None if summary_values[0] is None else Summary(*summary_values)
        rows.append(DashboardRow(patient_id, email, name, dob, zone, linked_at, summary, today))
    queue_refresh([row.patient_id for row in rows if row.status == "updating"])
    if flag:
        rows = [row for row in rows if flag in row.flag_codes]
    if search:
        needle = search.casefold()
        rows = [row for row in rows if needle in row.name.casefold() or needle in row.email.casefold()]
    return sort_rows(rows, ordering)


def summaries_needing_refresh(limit: int = 5000) -> list[uuid.UUID]:
    """Stale rows, rows whose local day has rolled over, and patients with a link but no row."""
    now = timezone.now()
    due = [
        patient_id
        for patient_id, as_of, stale, zone in PatientSummary.objects.values_list(
            "patient_id", "as_of", "stale", "patient__time_zone"
        )
        if stale or as_of != local_today_in(zone, now)
    ]
    missing = (
        User.objects.filter(
            role=User.Role.PATIENT, clinician_links__revoked_at__isnull=True, diary_summary__isnull=True
        )
        .values_list("id", flat=True)
        .distinct()
    )
    return (due + list(missing))[:limit]
