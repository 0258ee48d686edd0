"""What a lab result means: reference intervals, low / normal / high, and the patterns the
article behind this product names. Plain Python, no Django.

Intervals are adult defaults (DOMAIN.md, "Other labs"); the interval printed on the
patient's own report wins when it is given. The patient reads plain words and the range,
never a diagnosis; the clinician reads the patterns as flags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from diary import units

LOW, NORMAL, HIGH = "low", "normal", "high"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    unit: str  # the analyte's canonical unit (diary.units.LAB_ANALYTES)
    source: str  # "report", or where the default comes from

    @property
    def text(self) -> str:
        return f"{self.low:g}-{self.high:g} {self.unit}"

    def __str__(self) -> str:
        return self.text


# Adult defaults, in the canonical unit. Each is a convention a laboratory may print
# differently; the report's own interval overrides it.
REFERENCE_INTERVALS: dict[str, Interval] = {
    # DOMAIN.md thresholds: below 20 ng/mL is deficient, 20-30 insufficient (both "low" here),
    # 30-100 sufficient; above 100 "high, check dose" (a convention, configurable).
    units.VITAMIN_D_25OH: Interval(
        units.SUFFICIENT_FROM_NG_ML, units.HIGH_ABOVE_NG_ML, "ng/mL", "Endocrine Society 2011; DOMAIN.md"
    ),
    # Total serum calcium, adults: 8.5-10.5 mg/dL (DOMAIN.md, LOINC 17861-6).
    units.LAB_CALCIUM: Interval(8.5, 10.5, "mg/dL", "DOMAIN.md (adult total calcium)"),
    # Intact PTH, adults: 15-65 pg/mL (DOMAIN.md, LOINC 2731-8).
    units.PTH: Interval(15.0, 65.0, "pg/mL", "DOMAIN.md (intact PTH)"),
    # Serum phosphate, adults: 2.5-4.5 mg/dL (DOMAIN.md, LOINC 2777-1).
    units.PHOSPHATE: Interval(2.5, 4.5, "mg/dL", "DOMAIN.md (adult phosphate)"),
    # Serum magnesium, adults: 1.7-2.2 mg/dL (DOMAIN.md, LOINC 19123-9).
    units.LAB_MAGNESIUM: Interval(1.7, 2.2, "mg/dL", "DOMAIN.md (adult magnesium)"),
    # Serum potassium, adults: 3.5-5.0 mmol/L (common adult interval, LOINC 2823-3; not in DOMAIN.md).
    units.LAB_POTASSIUM: Interval(3.5, 5.0, "mmol/L", "common adult interval"),
}

NAMES = {
    units.VITAMIN_D_25OH: "25(OH)D",
    units.LAB_CALCIUM: "calcium",
    units.PTH: "PTH",
    units.PHOSPHATE: "phosphate",
    units.LAB_MAGNESIUM: "magnesium",
    units.LAB_POTASSIUM: "potassium",
}

# Two results "go together" in a pattern when collected this close to each other.
PATTERN_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Reading:
    """One result, interpreted."""

    analyte: str
    value: float  # canonical unit
    unit: str
    collected_on: date
    interpretation: str  # low | normal | high
    interval: Interval

    @property
    def range_text(self) -> str:
        return f"{self.interval.low:g}-{self.interval.high:g} {self.unit}"

    @property
    def sentence(self) -> str:
        """Plain words for the patient: the value, the usual range, no diagnosis."""
        name = NAMES[self.analyte]
        where = {LOW: "below", NORMAL: "within", HIGH: "above"}[self.interpretation]
        return f"Your {name} of {self.value:g} {self.unit} is {where} the usual range ({self.range_text})."


def interval_for(analyte: str, reference_low: float | None = None, reference_high: float | None = None) -> Interval:
    """The report's own interval when it gives both ends (canonical unit), else the default."""
    default = REFERENCE_INTERVALS[analyte]
    if reference_low is not None and reference_high is not None:
        return Interval(reference_low, reference_high, default.unit, "report")
    return default


def interpret(value: float, interval: Interval) -> str:
    """low below the interval, high above it, normal within (both ends inclusive)."""
    if value < interval.low:
        return LOW
    if value > interval.high:
        return HIGH
    return NORMAL


def reading_of(analyte: str, value: float, collected_on: date, interval: Interval) -> Reading:
    return Reading(analyte, value, interval.unit, collected_on, interpret(value, interval), interval)


def reading(
    analyte: str,
    value: float,
    collected_on: date,
    *,
    reference_low: float | None = None,
    reference_high: float | None = None,
) -> Reading:
    return reading_of(analyte, value, collected_on, interval_for(analyte, reference_low, reference_high))


# --- patterns ---------------------------------------------------------------------------------
PATTERN_SECONDARY_HPT = "secondary_hyperparathyroidism_pattern"
PATTERN_LOW_CALCIUM = "low_calcium"
PATTERN_HIGH_CALCIUM = "high_calcium_on_supplementation"
PATTERN_LOW_PHOSPHATE = "low_phosphate"
PATTERN_VITAMIN_D_ABOVE_100 = "vitamin_d_above_100"
PATTERNS = (
    PATTERN_SECONDARY_HPT,
    PATTERN_LOW_CALCIUM,
    PATTERN_HIGH_CALCIUM,
    PATTERN_LOW_PHOSPHATE,
    PATTERN_VITAMIN_D_ABOVE_100,
)


@dataclass(frozen=True)
class Pattern:
    code: str
    on: date  # the latest result the pattern rests on
    text: str  # for the clinician


def latest(readings: Iterable[Reading]) -> dict[str, Reading]:
    found: dict[str, Reading] = {}
    for r in sorted(readings, key=lambda r: r.collected_on):
        found[r.analyte] = r
    return found


def patterns(latest_by_analyte: Mapping[str, Reading], *, supplementing: bool) -> list[Pattern]:
    """The patterns DOMAIN.md names, from the latest result of each test:
    low 25(OH)D with high PTH (secondary hyperparathyroidism pattern), low calcium, high
    calcium while taking vitamin D (a safety signal), low phosphate, 25(OH)D above 100."""
    d = latest_by_analyte.get(units.VITAMIN_D_25OH)
    pth = latest_by_analyte.get(units.PTH)
    calcium = latest_by_analyte.get(units.LAB_CALCIUM)
    phosphate = latest_by_analyte.get(units.PHOSPHATE)
    found: list[Pattern] = []
    if (
        d is not None
        and pth is not None
        and d.interpretation == LOW
        and pth.interpretation == HIGH
        and abs(d.collected_on - pth.collected_on) <= timedelta(days=PATTERN_WINDOW_DAYS)
    ):
        found.append(
            Pattern(
                PATTERN_SECONDARY_HPT,
                max(d.collected_on, pth.collected_on),
                f"Secondary hyperparathyroidism pattern: 25(OH)D {d.value:g} ng/mL with PTH {pth.value:g} pg/mL "
                f"(above {pth.interval.high:g}).",
            )
        )
    if calcium is not None and calcium.interpretation == LOW:
        found.append(
            Pattern(
                PATTERN_LOW_CALCIUM,
                calcium.collected_on,
                f"Low calcium: {calcium.value:g} mg/dL ({calcium.range_text}).",
            )
        )
    if calcium is not None and calcium.interpretation == HIGH and supplementing:
        found.append(
            Pattern(
                PATTERN_HIGH_CALCIUM,
                calcium.collected_on,
                f"High calcium during vitamin D supplementation: {calcium.value:g} mg/dL ({calcium.range_text}). "
                "Check the dose.",
            )
        )
    if phosphate is not None and phosphate.interpretation == LOW:
        found.append(
            Pattern(
                PATTERN_LOW_PHOSPHATE,
                phosphate.collected_on,
                f"Low phosphate: {phosphate.value:g} mg/dL ({phosphate.range_text}).",
            )
        )
    if d is not None and d.value > units.HIGH_ABOVE_NG_ML:
        found.append(
            Pattern(
                PATTERN_VITAMIN_D_ABOVE_100, d.collected_on, f"25(OH)D {d.value:g} ng/mL, above 100: check the dose."
            )
        )
    return found
