"""The clinician dashboard: one row per linked patient, flagged patients first.

One query reads every linked patient with their stored summary, whatever their number;
flags and sorting are plain Python over those rows. Missing or stale summaries are
queued for a background refresh and shown as "updating".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from accounts.models import CareLink, User
from diary.models import PatientSummary
from diary.summaries import queue_refresh

NO_ENTRIES_DAYS = 7
LOW_ADHERENCE = 0.8
VITAMIN_D_LOW_NG_ML = 20.0
VITAMIN_D_HIGH_NG_ML = 100.0

FLAG_NO_ENTRIES = "no_entries_7_days"
FLAG_WORSENING = "worsening"
FLAG_LOW_ADHERENCE = "low_adherence"
FLAG_VITAMIN_D_LOW = "vitamin_d_below_20"
FLAG_VITAMIN_D_HIGH = "vitamin_d_above_100"
FLAGS = (FLAG_NO_ENTRIES, FLAG_WORSENING, FLAG_LOW_ADHERENCE, FLAG_VITAMIN_D_LOW, FLAG_VITAMIN_D_HIGH)


def flags_for(summary: PatientSummary | None, today: date) -> list[str]:
    if summary is None:
        return []
    flags = []
    if summary.last_entry_date is None or (today - summary.last_entry_date).days >= NO_ENTRIES_DAYS:
        flags.append(FLAG_NO_ENTRIES)
    if summary.verdict == "worsened":
        flags.append(FLAG_WORSENING)
    if summary.adherence_28 is not None and summary.adherence_28 < LOW_ADHERENCE:
        flags.append(FLAG_LOW_ADHERENCE)
    if summary.vitamin_d_ng_ml is not None and summary.vitamin_d_ng_ml < VITAMIN_D_LOW_NG_ML:
        flags.append(FLAG_VITAMIN_D_LOW)
    if summary.vitamin_d_ng_ml is not None and summary.vitamin_d_ng_ml > VITAMIN_D_HIGH_NG_ML:
        flags.append(FLAG_VITAMIN_D_HIGH)
    return flags


@dataclass
class DashboardRow:
    patient: User
    linked_at: Any
    summary: PatientSummary | None
    today: date
    flags: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return (
            "updating" if self.summary is None or self.summary.stale or self.summary.as_of != self.today else "current"
        )

    @property
    def days_since_last_entry(self) -> int | None:
        last = self.summary.last_entry_date if self.summary else None
        return None if last is None else (self.today - last).days


def _name(row: DashboardRow) -> str:
    return row.patient.name.lower() or row.patient.email


SORT_VALUES = {
    "flags": lambda r: len(r.flags),
    "name": _name,
    "last_entry": lambda r: r.days_since_last_entry,
    "episodes": lambda r: r.summary.episodes_last_28 if r.summary else None,
    "adherence": lambda r: r.summary.adherence_28 if r.summary else None,
    "vitamin_d": lambda r: r.summary.vitamin_d_ng_ml if r.summary else None,
}
ORDERINGS = tuple(o for key in SORT_VALUES for o in (key, f"-{key}"))


def sort_rows(rows: list[DashboardRow], ordering: str) -> list[DashboardRow]:
    """Sort by one value, ties and missing values by name; missing values always last.
    "flags" means most flags first (flagged patients first), "-flags" the reverse."""
    key = ordering.lstrip("-")
    descending = ordering.startswith("-") != (key == "flags")
    value = SORT_VALUES[key]
    present = sorted((r for r in rows if value(r) is not None), key=_name)
    present.sort(key=value, reverse=descending)  # stable: equal values stay in name order
    missing = sorted((r for r in rows if value(r) is None), key=_name)
    return present + missing


def dashboard_rows(*, clinician: User, ordering: str = "flags") -> list[DashboardRow]:
    links = (
        CareLink.objects.active()
        .filter(clinician=clinician)
        .select_related("patient", "patient__diary_summary")
        .order_by("patient__email")
    )
    now = timezone.now()
    rows = []
    for link in links:
        patient = link.patient
        try:
            summary = patient.diary_summary
        except PatientSummary.DoesNotExist:
            summary = None
        today = timezone.localdate(now, timezone=patient.zone)
        row = DashboardRow(patient, link.created_at, summary, today)
        row.flags = flags_for(summary, today)
        rows.append(row)
    queue_refresh([row.patient.id for row in rows if row.status == "updating"])
    return sort_rows(rows, ordering)
