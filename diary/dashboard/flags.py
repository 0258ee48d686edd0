"""What the dashboard flags, each with its date: one function over one patient's facts, so
the dashboard row, its sort order, its filter and the visit report agree.

The facts are gathered by `diary.dashboard.services.summary_compute` with the same
selectors and plain functions the other views use (the adherence definition, dose safety,
lab patterns, the treatment response's verdict).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from diary.dose_safety import Alert
from diary.labs import Pattern

NO_REPORTS_DAYS = 7
LOW_ADHERENCE = 0.8
VITAMIN_D_LOW_NG_ML = 20.0
#: A loading course should be followed by a 25(OH)D within this time (configurable).
RETEST_AFTER_WEEKS = 12

FLAG_NO_REPORTS = "no_reports_7_days"
FLAG_WORSENING = "worsening"
FLAG_LOW_ADHERENCE = "low_adherence"
FLAG_VITAMIN_D_LOW = "vitamin_d_below_20"
FLAG_RETEST_DUE = "retest_due"
FLAG_NO_MAINTENANCE = "no_maintenance_after_loading"
# Dose safety (diary.dose_safety) and lab patterns (diary.labs) keep their own codes.
DOSE_FLAGS = ("high_single_dose", "high_weekly_total", "above_daily_limit")
LAB_FLAGS = (
    "secondary_hyperparathyroidism_pattern",
    "low_calcium",
    "high_calcium_on_supplementation",
    "low_phosphate",
    "vitamin_d_above_100",
)
FLAGS = (
    FLAG_NO_REPORTS,
    FLAG_WORSENING,
    FLAG_LOW_ADHERENCE,
    FLAG_VITAMIN_D_LOW,
    *LAB_FLAGS,
    *DOSE_FLAGS,
    FLAG_RETEST_DUE,
    FLAG_NO_MAINTENANCE,
)


@dataclass(frozen=True)
class Flag:
    code: str
    date: date | None  # the day it is about: the dose, the lab, the last report...
    text: str  # for the clinician, naming what it is about
    regimen_id: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


@dataclass(frozen=True)
class RegimenFacts:
    id: str
    name: str  # "vitamin D3 50,000 IU weekly (loading)"
    supplement: str
    vitamin_d: bool
    loading: bool
    start: date
    end: date | None
    taken: int  # slots of the last 28 days
    decided: int  # taken + skipped + missed


@dataclass(frozen=True)
class Facts:
    today: date
    last_reported_day: date | None
    verdict: str
    vitamin_d_ng_ml: float | None = None
    vitamin_d_collected_on: date | None = None
    vitamin_d_dates: tuple[date, ...] = ()  # every 25(OH)D result's date
    regimens: tuple[RegimenFacts, ...] = ()
    lab_patterns: tuple[Pattern, ...] = ()
    dose_alerts: tuple[Alert, ...] = field(default_factory=tuple)


def flags_for(facts: Facts) -> list[Flag]:
    today = facts.today
    flags: list[Flag] = []
    last = facts.last_reported_day
    if last is None or (today - last).days >= NO_REPORTS_DAYS:
        text = "No day reported yet." if last is None else f"Nothing about cramps since {last:%d %b %Y}."
        flags.append(Flag(FLAG_NO_REPORTS, last, text))
    if facts.verdict == "worsened":
        flags.append(Flag(FLAG_WORSENING, today, "Cramps more frequent since the start of vitamin D."))
    for regimen in facts.regimens:
        if regimen.decided and regimen.taken / regimen.decided < LOW_ADHERENCE:
            flags.append(
                Flag(
                    FLAG_LOW_ADHERENCE,
                    today,
                    f"{regimen.name}: {regimen.taken} of {regimen.decided} doses taken in 28 days.",
                    regimen.id,
                )
            )
    if facts.vitamin_d_ng_ml is not None and facts.vitamin_d_ng_ml < VITAMIN_D_LOW_NG_ML:
        flags.append(
            Flag(FLAG_VITAMIN_D_LOW, facts.vitamin_d_collected_on, f"25(OH)D {facts.vitamin_d_ng_ml:g} ng/mL.")
        )
    flags += [Flag(p.code, p.on, p.text) for p in facts.lab_patterns]
    # One flag per kind of dose alert, dated by its latest day, saying how many days had one.
    by_code: dict[str, list[Alert]] = {}
    for alert in facts.dose_alerts:
        by_code.setdefault(alert.code, []).append(alert)
    for code, alerts in by_code.items():
        latest = max(alerts, key=lambda a: a.day)
        days = len({a.day for a in alerts})
        more = f" (on {days} days in the last 28)" if days > 1 else ""
        flags.append(Flag(code, latest.day, latest.clinician_text[:-1] + more + "."))
    for regimen in facts.regimens:
        if not (regimen.vitamin_d and regimen.loading):
            continue
        due = regimen.start + timedelta(weeks=RETEST_AFTER_WEEKS)
        if due <= today and not any(day > regimen.start for day in facts.vitamin_d_dates):
            flags.append(
                Flag(
                    FLAG_RETEST_DUE,
                    due,
                    f"No 25(OH)D since {regimen.name} started on {regimen.start:%d %b %Y}.",
                    regimen.id,
                )
            )
        if regimen.end is not None and regimen.end < today:
            follows = any(
                other.vitamin_d and not other.loading and other.start >= regimen.start and other.id != regimen.id
                for other in facts.regimens
            )
            if not follows:
                flags.append(
                    Flag(
                        FLAG_NO_MAINTENANCE,
                        regimen.end,
                        f"{regimen.name} ended on {regimen.end:%d %b %Y} with no maintenance regimen after it.",
                        regimen.id,
                    )
                )
    return flags
