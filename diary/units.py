"""Units for doses and lab results: the fixed lists, conversion to one canonical unit,
physical ranges, a regimen's daily equivalent and the 25(OH)D categories. Plain Python, no
Django, so it is tested on its own and every process can import it cheaply.

Conversion factors are the standard molar masses (calcium 40.08 g/mol, magnesium
24.305 g/mol, phosphorus 30.97 g/mol), PTH's 9.43 pg/mL per pmol/L, and DOMAIN.md's
1 µg = 40 IU and 1 ng/mL = 2.496 nmol/L.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

#: Vitamin D3/D2 potency: 1 µg = 40 IU (DOMAIN.md).
IU_PER_MICROGRAM = 40
#: Serum 25(OH)D: 1 ng/mL = 2.496 nmol/L (molar mass of 25(OH)D3 ~ 400.6 g/mol).
NMOL_PER_NG = 2.496

# --- supplements ------------------------------------------------------------------------
VITAMIN_D3 = "vitamin_d3"
VITAMIN_D2 = "vitamin_d2"
MAGNESIUM = "magnesium"
CALCIUM = "calcium"
POTASSIUM = "potassium"
OTHER = "other"
SUPPLEMENTS = (VITAMIN_D3, VITAMIN_D2, MAGNESIUM, CALCIUM, POTASSIUM, OTHER)
SUPPLEMENT_NAMES = {
    VITAMIN_D3: "vitamin D3",
    VITAMIN_D2: "vitamin D2",
    MAGNESIUM: "magnesium",
    CALCIUM: "calcium",
    POTASSIUM: "potassium",
    OTHER: "supplement",
}
VITAMIN_D_SUPPLEMENTS = frozenset({VITAMIN_D3, VITAMIN_D2})

DOSE_UNITS = ("IU", "ug", "mg", "g")
# Each supplement's accepted units and the factor to its canonical unit.
_DOSE_FACTORS: dict[str, dict[str, float]] = {
    VITAMIN_D3: {"IU": 1.0, "ug": IU_PER_MICROGRAM, "mg": IU_PER_MICROGRAM * 1000},
    VITAMIN_D2: {"IU": 1.0, "ug": IU_PER_MICROGRAM, "mg": IU_PER_MICROGRAM * 1000},
    MAGNESIUM: {"mg": 1.0, "g": 1000.0},
    CALCIUM: {"mg": 1.0, "g": 1000.0},
    POTASSIUM: {"mg": 1.0, "g": 1000.0},
    OTHER: {"mg": 1.0, "g": 1000.0, "ug": 0.001, "IU": 1.0},
}
# A single dose above these is refused: an extra zero, not a prescription. Vitamin D: single
# "stoss" doses of 300,000-600,000 IU exist in some protocols, nothing above (DOMAIN.md,
# "Dose safety"; configurable in settings.DOSE_LIMITS).
DOSE_REFUSE_ABOVE = {
    VITAMIN_D3: 600_000.0,
    VITAMIN_D2: 600_000.0,
    MAGNESIUM: 5_000.0,
    CALCIUM: 5_000.0,
    POTASSIUM: 10_000.0,
}


def dose_canonical_unit(supplement: str, unit: str) -> str:
    if supplement in VITAMIN_D_SUPPLEMENTS:
        return "IU"
    if supplement == OTHER and unit == "IU":
        return "IU"
    return "mg"


def dose_units_for(supplement: str) -> tuple[str, ...]:
    return tuple(_DOSE_FACTORS[supplement])


def normalise_dose(supplement: str, amount: Decimal | float, unit: str) -> float:
    """Amount in the supplement's canonical unit (IU for vitamin D, mg for minerals)."""
    try:
        factor = _DOSE_FACTORS[supplement][unit]
    except KeyError:
        raise ValueError(
            f"{unit} is not a unit for {supplement}; use one of {', '.join(_DOSE_FACTORS.get(supplement, {}))}."
        ) from None
    return float(amount) * factor


# --- labs -------------------------------------------------------------------------------
VITAMIN_D_25OH = "vitamin_d_25oh"
LAB_CALCIUM = "calcium"
PTH = "pth"
PHOSPHATE = "phosphate"
LAB_MAGNESIUM = "magnesium"
LAB_POTASSIUM = "potassium"
ANALYTES = (VITAMIN_D_25OH, LAB_CALCIUM, PTH, PHOSPHATE, LAB_MAGNESIUM, LAB_POTASSIUM)


@dataclass(frozen=True)
class Analyte:
    canonical_unit: str
    factors: dict[str, float]  # unit -> multiply to get the canonical unit
    minimum: float  # physical range, in the canonical unit (exclusive of impossible values)
    maximum: float


LAB_ANALYTES: dict[str, Analyte] = {
    VITAMIN_D_25OH: Analyte("ng/mL", {"ng/mL": 1.0, "nmol/L": 1 / NMOL_PER_NG}, 1.0, 400.0),
    LAB_CALCIUM: Analyte("mg/dL", {"mg/dL": 1.0, "mmol/L": 4.008}, 2.0, 25.0),
    PTH: Analyte("pg/mL", {"pg/mL": 1.0, "pmol/L": 9.43, "ng/L": 1.0}, 0.5, 5000.0),
    # Phosphorus 30.97 g/mol: mg/dL = mmol/L / 0.3229; magnesium 24.305 g/mol: mg/dL = mmol/L / 0.4114
    # (1 mEq/L of Mg2+ is 0.5 mmol/L).
    PHOSPHATE: Analyte("mg/dL", {"mg/dL": 1.0, "mmol/L": 1 / 0.3229}, 0.2, 20.0),
    LAB_MAGNESIUM: Analyte("mg/dL", {"mg/dL": 1.0, "mmol/L": 1 / 0.4114, "mEq/L": 0.5 / 0.4114}, 0.2, 12.0),
    LAB_POTASSIUM: Analyte("mmol/L", {"mmol/L": 1.0, "mEq/L": 1.0}, 1.0, 12.0),
}
LAB_UNITS = tuple(sorted({unit for analyte in LAB_ANALYTES.values() for unit in analyte.factors}))


def normalise_lab(analyte: str, value: Decimal | float, unit: str) -> float:
    spec = LAB_ANALYTES[analyte]
    try:
        return float(value) * spec.factors[unit]
    except KeyError:
        raise ValueError(f"{unit} is not a unit for {analyte}; use one of {', '.join(spec.factors)}.") from None


def lab_range_error(analyte: str, canonical_value: float) -> str | None:
    """A message when the value is outside what a living person's serum can hold."""
    spec = LAB_ANALYTES[analyte]
    if spec.minimum <= canonical_value <= spec.maximum:
        return None
    return (
        f"{canonical_value:.4g} {spec.canonical_unit} is outside the possible range for this test "
        f"({spec.minimum:g}-{spec.maximum:g} {spec.canonical_unit}). Check the value and the unit."
    )


# --- a regimen's daily equivalent -------------------------------------------------------
FREQUENCY_DAILY = "daily"
FREQUENCY_WEEKLY = "weekly"
FREQUENCY_WEEKDAYS = "weekdays"


def daily_equivalent(amount: float, frequency: str, weekdays: Sequence[int] = ()) -> float:
    """Average amount per day of a regimen, so daily and weekly doses share one axis:
    50,000 IU once a week is about 7,143 IU a day; chosen weekdays count len(weekdays)/7."""
    if frequency == FREQUENCY_DAILY:
        return float(amount)
    if frequency == FREQUENCY_WEEKLY:
        return float(amount) / 7
    if frequency == FREQUENCY_WEEKDAYS:
        return float(amount) * len(weekdays) / 7
    raise ValueError(f"unknown frequency {frequency!r}")


# --- 25(OH)D categories (DOMAIN.md) -----------------------------------------------------
CATEGORY_DEFICIENT = "deficient"
CATEGORY_INSUFFICIENT = "insufficient"
CATEGORY_SUFFICIENT = "sufficient"
CATEGORY_HIGH = "high"
DEFICIENT_BELOW_NG_ML = 20.0
SUFFICIENT_FROM_NG_ML = 30.0
#: "High, check dose" is a convention, not a toxicity line (DOMAIN.md: configurable).
HIGH_ABOVE_NG_ML = 100.0


def vitamin_d_category(ng_ml: float, high_above: float = HIGH_ABOVE_NG_ML) -> str:
    """deficient < 20 <= insufficient < 30 <= sufficient <= 100 < high (ng/mL).

    Exactly 30 is sufficient ("30 or more") and exactly 100 is not yet high ("> 100")."""
    if not math.isfinite(ng_ml) or ng_ml < 0:
        raise ValueError(f"a 25(OH)D level must be a finite number >= 0, got {ng_ml!r}")
    if ng_ml < DEFICIENT_BELOW_NG_ML:
        return CATEGORY_DEFICIENT
    if ng_ml < SUFFICIENT_FROM_NG_ML:
        return CATEGORY_INSUFFICIENT
    if ng_ml <= high_above:
        return CATEGORY_SUFFICIENT
    return CATEGORY_HIGH
