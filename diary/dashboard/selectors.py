"""Reads for the clinician dashboard: one row per linked patient, and which summaries are
due for a refresh.

The linked patients with their stored summaries are filtered, sorted and paged in SQL, so a
page costs the same for 30 patients as for 5,000. Missing or stale summaries on the page are
queued for a background refresh and shown as "updating".
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.cache import cache
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import CareLink, User, local_today_in
from diary.dashboard.models import PatientSummary
from diary.dashboard.rows import SUMMARY_COLUMNS, DashboardRow, Summary
from diary.dashboard.services import queue_refresh

REQUEUE_AFTER_SECONDS = 300


# Each ordering: the summary column and its natural direction; "-x" reverses it. Missing
# values (no summary yet) always come last, ties go by name.
_ORDER_COLUMNS = {
    "flags": ("patient__diary_summary__flag_count", True),  # most flags first
    "name": (None, False),
    "last_report": ("patient__diary_summary__last_reported_day", True),  # the longest silence first
    "episodes": ("patient__diary_summary__episodes_last_28", False),
    "adherence": ("patient__diary_summary__adherence_28", False),
    "vitamin_d": ("patient__diary_summary__vitamin_d_ng_ml", False),
}
_SORT_NAME = Lower(Case(When(patient__name="", then=F("patient__email")), default=F("patient__name")))


def dashboard_rows(
    *, clinician: User, ordering: str = "flags", flag: str | None = None, search: str | None = None
) -> QuerySet:
    """The clinician's linked patients with their stored summaries, filtered and ordered in
    SQL: the API pages it, so a load of 5,000 patients reads a page of 100 (plus a count).
    Values, not model instances: the rows are built for the page only (`page_rows`)."""
    rows = CareLink.objects.active().filter(clinician=clinician)
    if flag:
        rows = rows.filter(patient__diary_summary__flag_codes__contains=f" {flag} ")
    if search:
        rows = rows.filter(Q(patient__name__icontains=search) | Q(patient__email__icontains=search))
    column, natural_descending = _ORDER_COLUMNS[ordering.lstrip("-")]
    descending = natural_descending != ordering.startswith("-")
    order = []
    if column == "patient__diary_summary__last_reported_day":
        descending = not descending  # "last report" sorts by days since: an older date first
    if column is not None:
        order.append(F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True))
    name = _SORT_NAME.desc() if column is None and ordering.startswith("-") else _SORT_NAME.asc()
    return rows.order_by(*order, name, "patient__email").values_list(
        "patient_id",
        "patient__email",
        "patient__name",
        "patient__date_of_birth",
        "patient__time_zone",
        "created_at",
        *SUMMARY_COLUMNS,
    )


def page_rows(values: list[tuple]) -> list[DashboardRow]:
    """One page of dashboard_rows as DashboardRows; summaries that are missing or out of date
    are queued for a refresh (once: a patient queued in the last few minutes is not queued
    again by every reload of the page)."""
    now = timezone.now()
    today_in: dict[str, date] = {}
    rows = []
    for patient_id, email, name, dob, zone, linked_at, *summary_values in values:
        today = today_in.get(zone)
        if today is None:
            today = today_in[zone] = local_today_in(zone, now)
        summary = None if summary_values[0] is None else Summary(*summary_values)
        rows.append(DashboardRow(patient_id, email, name, dob, zone, linked_at, summary, today))
    updating = [row.patient_id for row in rows if row.status == "updating"]
    queue_refresh([pid for pid in updating if cache.add(f"summary-refresh-queued:{pid}", 1, REQUEUE_AFTER_SECONDS)])
    return rows


def summaries_needing_refresh(limit: int = 5000) -> list[uuid.UUID]:
    """Summaries of patients with an active care link that are stale, whose local day has
    rolled over, or that do not exist yet. A patient nobody is linked to has no summary to
    keep: no clinician reads one."""
    now = timezone.now()
    linked = CareLink.objects.active().filter(patient_id=OuterRef("pk"))
    due = [
        patient_id
        for patient_id, as_of, stale, zone in PatientSummary.objects.filter(
            Exists(linked.filter(patient_id=OuterRef("patient_id")))
        ).values_list("patient_id", "as_of", "stale", "patient__time_zone")
        if stale or as_of != local_today_in(zone, now)
    ]
    missing = User.objects.filter(Exists(linked), role=User.Role.PATIENT, diary_summary__isnull=True).values_list(
        "id", flat=True
    )
    return (due + list(missing))[:limit]
