"""Dose safety: what a dose (with the others around it) should make the patient and the
clinician look at. Plain Python, no Django: the services call it at the moment of saving
(warnings in the answer) and the dashboard refresh calls it again (flags with their date),
so both say the same thing.

Defaults (DOMAIN.md, "Dose safety"; each configurable through settings.DOSE_SAFETY):
- vitamin D: a single dose above 600,000 IU is refused (`diary.units.DOSE_REFUSE_ABOVE`);
  above 100,000 IU it is stored with a warning; a rolling 7-day total above 70,000 IU
  that no active prescribed loading regimen explains is warned about;
- supplemental magnesium: upper intake 350 mg a day (adults);
- calcium: 2,500 mg a day at 19-50 years, 2,000 mg a day from 51 (and when the age is not
  known: the lower figure errs on the side of telling);
- potassium: no upper intake is set; supplements above 1,000 mg a day are taken under
  medical supervision (hyperkalaemia risk), so more than that is worth a look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

VITAMIN_D = frozenset({"vitamin_d3", "vitamin_d2"})


@dataclass(frozen=True)
class Limits:
    vitamin_d_single_warn_iu: float = 100_000.0
    vitamin_d_weekly_warn_iu: float = 70_000.0
    magnesium_daily_mg: float = 350.0
    calcium_daily_mg_to_50: float = 2_500.0
    calcium_daily_mg_from_51: float = 2_000.0
    potassium_daily_mg: float = 1_000.0

    @classmethod
    def from_settings(cls, overrides: Mapping[str, float] | None) -> Limits:
        return replace(cls(), **dict(overrides or {}))


@dataclass(frozen=True)
class Prescription:
    """An active regimen, as the weekly check needs it."""

    supplement: str
    amount: float  # per dose, canonical unit
    weekly: float  # the regimen's prescribed amount per 7 days
    start: date
    end: date | None
    loading: bool

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Alert:
    code: str  # high_single_dose | high_weekly_total | above_daily_limit
    day: date
    supplement: str
    amount: float  # the dose, the 7-day total or the day's total
    limit: float
    message: str  # for the patient, at the moment of saving

    @property
    def clinician_text(self) -> str:
        """For the clinician's flag: what, how much, against which line."""
        if self.code == "high_single_dose":
            return f"Single vitamin D dose of {_iu(self.amount)} (above {_iu(self.limit)})."
        if self.code == "high_weekly_total":
            return (
                f"{_iu(self.amount)} of vitamin D in 7 days, above {_iu(self.limit)}, no loading course to explain it."
            )
        return f"{self.amount:,.0f} mg of {self.supplement} in a day (above {self.limit:,.0f} mg)."


def _iu(value: float) -> str:
    return f"{value:,.0f} IU"


def single_dose_alerts(supplement: str, amount: float, day: date, limits: Limits) -> list[Alert]:
    if supplement in VITAMIN_D and amount > limits.vitamin_d_single_warn_iu:
        return [
            Alert(
                "high_single_dose",
                day,
                supplement,
                amount,
                limits.vitamin_d_single_warn_iu,
                f"{_iu(amount)} in one dose is above {_iu(limits.vitamin_d_single_warn_iu)}. Only take this if it "
                "was prescribed as a single high dose; otherwise check with your clinician before the next dose.",
            )
        ]
    return []


def calcium_limit(age: int | None, limits: Limits) -> float:
    return limits.calcium_daily_mg_to_50 if age is not None and age <= 50 else limits.calcium_daily_mg_from_51


def daily_limit(supplement: str, age: int | None, limits: Limits) -> float | None:
    return {
        "magnesium": limits.magnesium_daily_mg,
        "calcium": calcium_limit(age, limits),
        "potassium": limits.potassium_daily_mg,
    }.get(supplement)


def weekly_vitamin_d_alerts(
    daily_iu: Mapping[date, float],
    prescriptions: Iterable[Prescription],
    days: Iterable[date],
    limits: Limits,
) -> list[Alert]:
    """For each of `days`, the largest 7-day total of vitamin D that contains it, when it is
    above the limit and not explained. A total is explained when an active prescribed
    loading regimen covers it: it is no more than the week's prescribed vitamin D plus one
    prescribed dose (a weekly dose taken a few days late puts two in one 7-day window)."""
    prescriptions = [p for p in prescriptions if p.supplement in VITAMIN_D]
    alerts = []
    for day in sorted(set(days)):
        best_total, best_end = 0.0, day
        for end in (day + timedelta(days=k) for k in range(7)):
            total = sum(daily_iu.get(end - timedelta(days=k), 0.0) for k in range(7))
            if total > best_total:
                best_total, best_end = total, end
        if best_total <= limits.vitamin_d_weekly_warn_iu:
            continue
        active = [p for p in prescriptions if any(p.active_on(best_end - timedelta(days=k)) for k in range(7))]
        if any(p.loading for p in active):
            allowed = sum(p.weekly for p in active) + max(p.amount for p in active)
            if best_total <= allowed:
                continue
        alerts.append(
            Alert(
                "high_weekly_total",
                day,
                "vitamin_d",
                best_total,
                limits.vitamin_d_weekly_warn_iu,
                f"{_iu(best_total)} of vitamin D in 7 days ({best_end - timedelta(days=6):%d %b} to {best_end:%d %b}) "
                f"is above {_iu(limits.vitamin_d_weekly_warn_iu)} and no prescribed loading course explains it. "
                "Check the doses with your clinician.",
            )
        )
    return alerts


def daily_mineral_alerts(
    daily_mg: Mapping[tuple[str, date], float], days: Iterable[tuple[str, date]], age: int | None, limits: Limits
) -> list[Alert]:
    alerts = []
    for supplement, day in sorted(set(days)):
        limit = daily_limit(supplement, age, limits)
        total = daily_mg.get((supplement, day), 0.0)
        if limit is not None and total > limit:
            alerts.append(
                Alert(
                    "above_daily_limit",
                    day,
                    supplement,
                    total,
                    limit,
                    f"{total:,.0f} mg of {supplement} on {day:%d %b} is above {limit:,.0f} mg a day, the usual "
                    "upper limit for supplements. Check the dose with your clinician.",
                )
            )
    return alerts
