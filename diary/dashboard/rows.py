"""A dashboard row as plain values, and the sort orders a clinician can choose."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Summary:
    """The stored numbers of one patient (a PatientSummary row, read as plain values)."""

    as_of: date
    stale: bool
    last_reported_day: date | None
    episodes_last_28: int
    episodes_prior_28: int
    verdict: str
    adherence_28: float | None
    vitamin_d_ng_ml: float | None
    vitamin_d_category: str
    vitamin_d_collected_on: date | None
    flags: list[dict]  # diary.dashboard.flags.Flag.as_dict(), computed with the numbers


SUMMARY_COLUMNS = [f"patient__diary_summary__{name}" for name in Summary.__dataclass_fields__]


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

    @property
    def flags(self) -> list[dict]:
        return self.summary.flags if self.summary else []

    @property
    def flag_codes(self) -> set[str]:
        return {flag["code"] for flag in self.flags}

    @property
    def status(self) -> str:
        current = self.summary is not None and not self.summary.stale and self.summary.as_of == self.today
        return "current" if current else "updating"

    @property
    def days_since_last_report(self) -> int | None:
        last = self.summary.last_reported_day if self.summary else None
        return None if last is None else (self.today - last).days


def _name(row: DashboardRow) -> str:
    return row.name.lower() or row.email


SORT_VALUES = {
    "flags": lambda r: len(r.flags),
    "name": _name,
    "last_report": lambda r: r.days_since_last_report,
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
