"""Adult reference intervals for the lab analytes and the Low / Normal / High reading of a
value against them: the visit report's flags and the FHIR export's `referenceRange` and
`interpretation`. Plain Python, no Django.

SEAM: lab reference intervals are being added in `diary/labs.py` on another branch (with
the report's own interval winning over these defaults). When that lands, `interval_for`
and `interpret` should read from it and this table should go: every caller reads intervals
through these two functions only.

Values are DOMAIN.md's adult defaults, in each analyte's canonical unit (`diary.units`).
25(OH)D: "sufficient" (30-100 ng/mL, DOMAIN.md's categories) is the normal band. Potassium
is not in DOMAIN.md's table: 3.5-5.0 mmol/L is a common adult serum interval.
"""

from __future__ import annotations

from dataclasses import dataclass

from diary import units

LOW, NORMAL, HIGH = "L", "N", "H"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    unit: str  # the analyte's canonical unit

    @property
    def text(self) -> str:
        return f"{self.low:g}-{self.high:g} {self.unit}"


INTERVALS: dict[str, Interval] = {
    units.VITAMIN_D_25OH: Interval(units.SUFFICIENT_FROM_NG_ML, units.HIGH_ABOVE_NG_ML, "ng/mL"),
    units.LAB_CALCIUM: Interval(8.5, 10.5, "mg/dL"),
    units.PTH: Interval(15.0, 65.0, "pg/mL"),
    units.PHOSPHATE: Interval(2.5, 4.5, "mg/dL"),
    units.LAB_MAGNESIUM: Interval(1.7, 2.2, "mg/dL"),
    units.LAB_POTASSIUM: Interval(3.5, 5.0, "mmol/L"),
}


def interval_for(analyte: str) -> Interval | None:
    return INTERVALS.get(analyte)


def interpret(analyte: str, value_normalised: float) -> str | None:
    """L, N or H against the adult interval; None when there is no interval."""
    interval = interval_for(analyte)
    if interval is None:
        return None
    if value_normalised < interval.low:
        return LOW
    if value_normalised > interval.high:
        return HIGH
    return NORMAL
