"""diary.units on its own: conversions, accepted units, physical ranges, daily equivalents
and 25(OH)D categories (DOMAIN.md's numbers)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from diary import units


def test_the_domain_constants():
    assert units.IU_PER_MICROGRAM == 40
    assert units.NMOL_PER_NG == 2.496


@pytest.mark.parametrize(
    ("supplement", "amount", "unit", "expected"),
    [
        ("vitamin_d3", 1000, "IU", 1000.0),
        ("vitamin_d3", 25, "ug", 1000.0),
        ("vitamin_d2", Decimal("12.5"), "ug", 500.0),
        ("vitamin_d3", Decimal("1.25"), "mg", 50_000.0),
        ("magnesium", 300, "mg", 300.0),
        ("magnesium", Decimal("0.3"), "g", 300.0),
        ("calcium", 1, "g", 1000.0),
        ("potassium", 99, "mg", 99.0),
        ("other", 5, "ug", 0.005),
    ],
)
def test_doses_normalise_to_the_canonical_unit(supplement, amount, unit, expected):
    assert math.isclose(units.normalise_dose(supplement, amount, unit), expected)


@pytest.mark.parametrize(("supplement", "unit"), [("vitamin_d3", "g"), ("magnesium", "IU"), ("calcium", "ug")])
def test_a_unit_a_supplement_does_not_take_is_refused_naming_the_right_ones(supplement, unit):
    with pytest.raises(ValueError, match=f"{unit} is not a unit for {supplement}; use one of"):
        units.normalise_dose(supplement, 1, unit)


def test_canonical_units_and_the_units_each_supplement_takes():
    assert units.dose_canonical_unit("vitamin_d3", "ug") == "IU"
    assert units.dose_canonical_unit("magnesium", "g") == "mg"
    assert units.dose_canonical_unit("other", "IU") == "IU"
    assert units.dose_canonical_unit("other", "mg") == "mg"
    assert units.dose_units_for("vitamin_d2") == ("IU", "ug", "mg")
    assert units.dose_units_for("calcium") == ("mg", "g")
    assert set(units.DOSE_UNITS) == {u for s in units.SUPPLEMENTS for u in units.dose_units_for(s)}


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "expected"),
    [
        ("vitamin_d_25oh", 30, "ng/mL", 30.0),
        ("vitamin_d_25oh", Decimal("74.88"), "nmol/L", 30.0),
        ("vitamin_d_25oh", 50, "nmol/L", 50 / 2.496),
        ("calcium", Decimal("2.2"), "mmol/L", 2.2 * 4.008),
        ("pth", Decimal("6.9"), "pmol/L", 6.9 * 9.43),
        ("pth", 65, "ng/L", 65.0),
        ("phosphate", 1, "mmol/L", 1 / 0.3229),
        ("magnesium", Decimal("0.85"), "mmol/L", 0.85 / 0.4114),
        ("potassium", 4, "mEq/L", 4.0),
    ],
)
def test_labs_normalise_to_the_canonical_unit(analyte, value, unit, expected):
    assert math.isclose(units.normalise_lab(analyte, value, unit), expected)


def test_a_25ohd_round_trip_through_nmol_per_litre():
    for ng in (12.3, 20.0, 47.5, 100.0):
        assert math.isclose(units.normalise_lab("vitamin_d_25oh", ng * units.NMOL_PER_NG, "nmol/L"), ng)


def test_a_lab_unit_the_test_does_not_use_is_refused():
    with pytest.raises(ValueError, match="mg/dL is not a unit for vitamin_d_25oh"):
        units.normalise_lab("vitamin_d_25oh", 30, "mg/dL")


def test_the_physical_range_is_inclusive_and_says_why():
    assert units.lab_range_error("vitamin_d_25oh", 1.0) is None
    assert units.lab_range_error("vitamin_d_25oh", 400.0) is None
    message = units.lab_range_error("vitamin_d_25oh", 400.5)
    assert message == (
        "400.5 ng/mL is outside the possible range for this test (1-400 ng/mL). Check the value and the unit."
    )
    assert units.lab_range_error("calcium", 1.9) is not None


@pytest.mark.parametrize(
    ("amount", "frequency", "weekdays", "expected"),
    [
        (1000, "daily", [], 1000.0),
        (50_000, "weekly", [3], 50_000 / 7),
        (2000, "weekdays", [1, 3, 5], 2000 * 3 / 7),
        (7000, "weekdays", [6], 1000.0),
    ],
)
def test_daily_equivalent(amount, frequency, weekdays, expected):
    assert math.isclose(units.daily_equivalent(amount, frequency, weekdays), expected)
    assert f"{units.daily_equivalent(50_000, 'weekly'):.3f}" == "7142.857"


def test_daily_equivalent_refuses_an_unknown_frequency():
    with pytest.raises(ValueError, match="monthly"):
        units.daily_equivalent(1000, "monthly")


@pytest.mark.parametrize(
    ("ng", "expected"),
    [
        (0.0, "deficient"),
        (19.99, "deficient"),
        (20.0, "insufficient"),
        (29.99, "insufficient"),
        (30.0, "sufficient"),
        (100.0, "sufficient"),
        (100.01, "high"),
    ],
)
def test_25ohd_categories_at_their_edges(ng, expected):
    assert units.vitamin_d_category(ng) == expected


def test_the_high_line_is_configurable_and_garbage_is_refused():
    assert units.vitamin_d_category(80.5, high_above=80.0) == "high"
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError):
            units.vitamin_d_category(bad)
