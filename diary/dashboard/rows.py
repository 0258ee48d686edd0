"""A dashboard row as plain values, and the orderings a clinician can choose (applied in SQL
by `diary.dashboard.selectors.dashboard_rows`)."""

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
    def status(self) -> str:
        current = self.summary is not None and not self.summary.stale and self.summary.as_of == self.today
        return "current" if current else "updating"

    @property
    def days_since_last_report(self) -> int | None:
        last = self.summary.last_reported_day if self.summary else None
        return None if last is None else (self.today - last).days


ORDERINGS = tuple(
    o for key in ("flags", "name", "last_report", "episodes", "adherence", "vitamin_d") for o in (key, f"-{key}")
)
