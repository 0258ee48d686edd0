"""Every lab interpreted: each test in each accepted unit normalises and classes correctly at
the edges; a report's own range wins; the patterns the article names reach the dashboard."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest

from diary import labs
from diary.dashboard.services import summaries_refresh
from tests.conftest import assert_error
from tests.diary_payloads import payload

pytestmark = pytest.mark.django_db


def lab(client, analyte: str, value: str, unit: str, **extra):
    body = payload("lab", analyte=analyte, value=value, unit=unit, **extra)
    return client.post("/api/v1/diary/labs", body, format="json")


# (analyte, value, unit, normalised, interpretation): just below, at and just above each end
# of the default adult interval, in every unit the test is reported in.
EDGES = [
    ("calcium", "8.49", "mg/dL", 8.49, "low"),
    ("calcium", "8.5", "mg/dL", 8.5, "normal"),
    ("calcium", "10.5", "mg/dL", 10.5, "normal"),
    ("calcium", "10.51", "mg/dL", 10.51, "high"),
    ("calcium", "2.12", "mmol/L", 2.12 * 4.008, "low"),  # 8.497 mg/dL
    ("calcium", "2.13", "mmol/L", 2.13 * 4.008, "normal"),  # 8.537
    ("calcium", "2.62", "mmol/L", 2.62 * 4.008, "high"),  # 10.501
    ("pth", "14.9", "pg/mL", 14.9, "low"),
    ("pth", "15", "ng/L", 15.0, "normal"),
    ("pth", "65", "pg/mL", 65.0, "normal"),
    ("pth", "65.1", "ng/L", 65.1, "high"),
    ("pth", "6.89", "pmol/L", 6.89 * 9.43, "normal"),  # 64.97 pg/mL
    ("pth", "6.9", "pmol/L", 6.9 * 9.43, "high"),  # 65.07
    ("phosphate", "2.49", "mg/dL", 2.49, "low"),
    ("phosphate", "2.5", "mg/dL", 2.5, "normal"),
    ("phosphate", "4.51", "mg/dL", 4.51, "high"),
    ("phosphate", "0.80", "mmol/L", 0.80 / 0.3229, "low"),  # 2.478 mg/dL
    ("phosphate", "0.81", "mmol/L", 0.81 / 0.3229, "normal"),  # 2.509
    ("phosphate", "1.46", "mmol/L", 1.46 / 0.3229, "high"),  # 4.522
    ("magnesium", "1.69", "mg/dL", 1.69, "low"),
    ("magnesium", "1.7", "mg/dL", 1.7, "normal"),
    ("magnesium", "2.2", "mg/dL", 2.2, "normal"),
    ("magnesium", "2.21", "mg/dL", 2.21, "high"),
    ("magnesium", "0.69", "mmol/L", 0.69 / 0.4114, "low"),  # 1.677 mg/dL
    ("magnesium", "0.70", "mmol/L", 0.70 / 0.4114, "normal"),  # 1.701
    ("magnesium", "0.91", "mmol/L", 0.91 / 0.4114, "high"),  # 2.212
    ("magnesium", "1.4", "mEq/L", 0.7 / 0.4114, "normal"),
    ("vitamin_d_25oh", "29.9", "ng/mL", 29.9, "low"),
    ("vitamin_d_25oh", "30", "ng/mL", 30.0, "normal"),
    ("vitamin_d_25oh", "100", "ng/mL", 100.0, "normal"),
    ("vitamin_d_25oh", "100.1", "ng/mL", 100.1, "high"),
    ("vitamin_d_25oh", "74.8", "nmol/L", 74.8 / 2.496, "low"),
    ("vitamin_d_25oh", "74.88", "nmol/L", 30.0, "normal"),
    ("potassium", "3.4", "mmol/L", 3.4, "low"),
    ("potassium", "5.0", "mEq/L", 5.0, "normal"),
    ("potassium", "5.1", "mmol/L", 5.1, "high"),
]


@pytest.mark.parametrize(("analyte", "value", "unit", "normalised", "interpretation"), EDGES)
def test_each_lab_normalises_and_is_classed_at_the_edges(
    patient_client, analyte, value, unit, normalised, interpretation
):
    response = lab(patient_client, analyte, value, unit)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["value_normalised"] == pytest.approx(normalised)
    assert body["interpretation"] == interpretation
    assert body["range_source"] != "report"
    assert body["normalised_unit"] in body["explanation"]
    assert {"low": "below", "normal": "within", "high": "above"}[interpretation] in body["explanation"]


def test_the_patient_reads_plain_words_and_the_range_never_a_diagnosis(patient_client):
    body = lab(patient_client, "pth", "92", "pg/mL").json()
    assert body["explanation"] == "Your PTH of 92 pg/mL is above the usual range (15-65 pg/mL)."
    assert "hyperparathyroidism" not in body["explanation"]


def test_a_reports_own_range_wins_over_the_default(patient_client):
    body = lab(patient_client, "calcium", "2.15", "mmol/L", reference_low="2.20", reference_high="2.60").json()
    assert body["interpretation"] == "low"  # 8.62 mg/dL: normal by default, low by this laboratory
    assert (body["range_low"], body["range_high"], body["range_source"]) == (
        pytest.approx(2.20 * 4.008),
        pytest.approx(2.60 * 4.008),
        "report",
    )
    default = lab(patient_client, "calcium", "2.15", "mmol/L").json()
    assert default["interpretation"] == "normal"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"reference_low": "2.2"}, "reference_high"),
        ({"reference_high": "2.6"}, "reference_low"),
        ({"reference_low": "2.6", "reference_high": "2.2"}, "reference_high"),
    ],
)
def test_a_half_or_upside_down_range_is_refused(patient_client, extra, field):
    assert_error(lab(patient_client, "calcium", "2.3", "mmol/L", **extra), 400, "invalid", [field])


def test_patterns_are_read_from_the_latest_results():
    day = date(2026, 3, 1)
    latest = labs.latest(
        [
            labs.reading("vitamin_d_25oh", 13.0, day),
            labs.reading("pth", 92.0, day + timedelta(days=2)),
            labs.reading("calcium", 8.4, day),
            labs.reading("phosphate", 2.4, day),
        ]
    )
    codes = [p.code for p in labs.patterns(latest, supplementing=False)]
    assert codes == ["secondary_hyperparathyroidism_pattern", "low_calcium", "low_phosphate"]
    high_calcium = labs.latest([labs.reading("calcium", 10.8, day)])
    assert [p.code for p in labs.patterns(high_calcium, supplementing=True)] == ["high_calcium_on_supplementation"]
    assert labs.patterns(high_calcium, supplementing=False) == []
    # PTH months away from the 25(OH)D: not one picture.
    apart = labs.latest(
        [labs.reading("vitamin_d_25oh", 13.0, day), labs.reading("pth", 92.0, day + timedelta(days=90))]
    )
    assert labs.patterns(apart, supplementing=False) == []
    above = labs.latest([labs.reading("vitamin_d_25oh", 120.0, day)])
    assert [p.code for p in labs.patterns(above, supplementing=True)] == ["vitamin_d_above_100"]


def test_the_clinician_sees_the_patterns_as_flags(patient, patient_client, clinician_client):
    day = patient.local_today() - timedelta(days=3)
    for analyte, value, unit in [
        ("vitamin_d_25oh", "13", "ng/mL"),
        ("pth", "92", "pg/mL"),
        ("phosphate", "2.4", "mg/dL"),
    ]:
        lab(patient_client, analyte, value, unit, collected_on=day.isoformat())
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        summaries_refresh([patient.id])
        row = clinician_client.get("/api/v1/clinician/patients").json()["results"][0]
    flags = {f["code"]: f for f in row["flags"]}
    assert {"secondary_hyperparathyroidism_pattern", "low_phosphate", "vitamin_d_below_20"} <= set(flags)
    assert flags["secondary_hyperparathyroidism_pattern"]["date"] == day.isoformat()
    assert "PTH 92 pg/mL" in flags["secondary_hyperparathyroidism_pattern"]["text"]
