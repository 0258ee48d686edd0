"""The clinician dashboard: one row per linked patient, flagged patients first.

One query reads every linked patient with their stored summary, whatever their number;
flags and sorting are plain Python over those rows. Missing or stale summaries are
queued for a background refresh and shown as "updating".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import CareLink, User
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


@dataclass(frozen=True)
class Summary:
    """The stored numbers of one patient (a PatientSummary row, read as plain values)."""

    as_of: date
    stale: bool
    last_entry_date: date | None
    episodes_last_28: int
    episodes_prior_28: int
    verdict: str
    adherence_28: float | None
    vitamin_d_ng_ml: float | None
    vitamin_d_category: str
    vitamin_d_collected_on: date | None


SUMMARY_COLUMNS = [f"patient__diary_summary__{name}" for name in Summary.__dataclass_fields__]


def flags_for(summary: Summary | None, today: date) -> list[str]:
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
    patient_id: uuid.UUID
    email: str
    name: str
    date_of_birth: date | None
    time_zone: str
    linked_at: datetime
    summary: Summary | None
    today: date
    flags: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        current = self.summary is not None and not self.summary.stale and self.summary.as_of == self.today
        return "current" if current else "updating"

    @property
    def days_since_last_entry(self) -> int | None:
        last = self.summary.last_entry_date if self.summary else None
        return None if last is None else (self.today - last).days


def _name(row: DashboardRow) -> str:
    return row.name.lower() or row.email


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
            today = today_in[zone] = timezone.localdate(now, timezone=ZoneInfo(zone))
        summary = None if summary_values[0] is None else Summary(*summary_values)
        row = DashboardRow(patient_id, email, name, dob, zone, linked_at, summary, today)
        row.flags = flags_for(summary, today)
        rows.append(row)
    queue_refresh([row.patient_id for row in rows if row.status == "updating"])
    return sort_rows(rows, ordering)
