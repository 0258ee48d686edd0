"""The treatment-response answer through the API: every model equals R on the reference
diaries, days that say nothing about cramps change nothing, caveats name what undercuts
the verdict, and a diary that is too early answers 200, never 400."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest

from diary.dashboard.services import summaries_refresh
from diary.models import DailyCheckin, SpasmEpisode, SunExposure, SupplementDose
from tests.conftest import assert_error
from tests.insights.test_regression import R_VALUES, load, same3
from tests.trend_data import regimen, save

pytestmark = pytest.mark.django_db


def store_diary(patient, name: str) -> dict:
    """A reference diary as rows: its episodes, its "no cramps" days, its sun."""
    rows_, _ = load(name)
    zone = patient.zone
    common = {"patient": patient, "time_zone": patient.time_zone}
    rows = []
    for row in rows_:
        noon = datetime.combine(row.day, time(12), tzinfo=zone)
        base = {**common, "local_date": row.day, "recorded_at": noon}
        if row.episodes:
            rows += [
                SpasmEpisode(id=uuid.uuid4(), occurred_at=noon, muscle_group="calf", severity=5, **base)
                for _ in range(row.episodes)
            ]
        else:
            rows.append(DailyCheckin(id=uuid.uuid4(), no_cramps=True, **base))
        if row.sun_minutes:
            rows.append(SunExposure(id=uuid.uuid4(), started_at=noon, minutes=int(row.sun_minutes), **base))
    save(*rows)
    import json

    from tests.insights.test_regression import REFERENCE

    return json.loads((REFERENCE / f"{name}.json").read_text())


def query(meta: dict) -> str:
    return (
        f"start={meta['start']}&before_days={meta['before_days']}&lag_days={meta['lag_days']}&after_end={meta['today']}"
    )


@pytest.mark.parametrize("name", sorted(R_VALUES["diaries"]))
def test_every_model_through_the_api_equals_r(patient, patient_client, name):
    meta = store_diary(patient, name)
    body = patient_client.get(f"/api/v1/trends/treatment-response?{query(meta)}").json()
    models = {m["name"]: m for m in body["models"]}
    for model, expected in R_VALUES["diaries"][name].items():
        got = models[model]
        assert got["family"] == expected["family"], (model, got["note"])
        for field in ("rate_ratio", "ci_low", "ci_high", "p_value"):
            assert same3(got[field], expected[field]), (name, model, field, got[field], expected[field])
        if expected["theta"] is not None:
            assert same3(got["theta"], expected["theta"])
    assert body["comparison"]["model"] == "negative_binomial"
    assert same3(body["comparison"]["ci_high"], R_VALUES["diaries"][name]["negative_binomial"]["ci_high"])


def test_cramps_already_falling_never_get_a_plain_improved_sentence(patient, patient_client):
    meta = store_diary(patient, "falling_before")
    body = patient_client.get(f"/api/v1/trends/treatment-response?{query(meta)}").json()
    assert body["verdict"] == "improved"
    assert "already_falling" in [c["code"] for c in body["caveats"]]
    assert "unlikely to be chance" not in body["sentence"]
    assert "already falling" in body["sentence"]


def test_sun_that_explains_the_drop_is_said(patient, patient_client):
    meta = store_diary(patient, "sun_driven")
    body = patient_client.get(f"/api/v1/trends/treatment-response?{query(meta)}").json()
    assert body["verdict"] == "improved"
    codes = [c["code"] for c in body["caveats"]]
    assert "sun_explains" in codes
    assert "unlikely to be chance" not in body["sentence"]


def test_days_with_only_a_dose_or_sun_change_no_rate(patient, patient_client):
    meta = store_diary(patient, "overdispersed")
    url = f"/api/v1/trends/treatment-response?{query(meta)}"
    series_url = f"/api/v1/trends/spasms?bucket=week&from={date.fromisoformat(meta['start']) - timedelta(days=56)}&to={meta['today']}"
    before, series_before = patient_client.get(url).json(), patient_client.get(series_url).json()
    reported = {r.day for r in load("overdispersed")[0]}
    silent = [
        d
        for d in (date.fromisoformat(meta["start"]) + timedelta(days=n) for n in range(-56, 70))
        if d not in reported and d <= date.fromisoformat(meta["today"])
    ]
    assert len(silent) > 10
    zone = patient.zone
    extra = []
    for i, day in enumerate(silent):
        at = datetime.combine(day, time(9), tzinfo=zone)
        common = {"patient": patient, "time_zone": patient.time_zone, "local_date": day, "recorded_at": at}
        if i % 2:
            extra.append(SupplementDose(id=uuid.uuid4(), taken_at=at, supplement="vitamin_d3", amount=1000, unit="IU",
                                        amount_normalised=1000.0, normalised_unit="IU", **common))  # fmt: skip
        else:
            extra.append(SunExposure(id=uuid.uuid4(), started_at=at, minutes=30, **common))
    save(*extra)
    after, series_after = patient_client.get(url).json(), patient_client.get(series_url).json()
    assert after["before"] == before["before"] and after["after"] == before["after"]
    assert after["models"] == before["models"]
    assert after["verdict"] == before["verdict"]
    for a, b in zip(series_after["buckets"], series_before["buckets"], strict=True):
        assert (a["episodes"], a["reported_days"], a["episodes_per_reported_day"]) == (
            b["episodes"],
            b["reported_days"],
            b["episodes_per_reported_day"],
        )


def test_magnesium_started_inside_the_after_window_is_named(patient, patient_client):
    today = patient.local_today()
    start = today - timedelta(days=70)
    regimen(
        patient,
        start,
        amount=50_000,
        frequency="weekly",
        weekdays=[start.isoweekday()],
        end=start + timedelta(days=55),
        phase="loading",
    )
    regimen(patient, start + timedelta(days=56), amount=1000)  # the protocol's maintenance: not a co-treatment
    regimen(patient, start + timedelta(days=30), amount=300, supplement="magnesium")
    body = patient_client.get("/api/v1/trends/treatment-response").json()
    caveat = next(c for c in body["caveats"] if c["code"] == "co_treatment")
    started = (start + timedelta(days=30)).strftime("%-d %B %Y")
    assert f"magnesium 300 mg daily started on {started}" in caveat["sentence"]
    assert [s["supplement"] for s in caveat["details"]["starts"]] == ["magnesium"]
    # Tested as its own start, magnesium names vitamin D's course instead.
    magnesium = patient_client.get("/api/v1/trends/treatment-response?supplement=magnesium").json()
    assert (magnesium["supplement"], magnesium["treatment"], magnesium["start"]) == (
        "magnesium",
        "magnesium",
        (start + timedelta(days=30)).isoformat(),
    )


@pytest.mark.parametrize("days_ago", [-10, 0, 13])
def test_a_planned_or_recent_first_regimen_is_too_early_not_an_error(patient, patient_client, clinician, days_ago):
    regimen(patient, patient.local_today() - timedelta(days=days_ago))
    response = patient_client.get("/api/v1/trends/treatment-response")
    assert response.status_code == 200
    body = response.json()
    assert (body["verdict"], body["reason"]) == ("not_enough_data", "too_early")
    assert "too early to tell" in body["sentence"]
    summaries_refresh([patient.id])  # and the dashboard's refresh does not stop there


def test_the_clinician_reads_the_patient_by_name(patient, clinician_client):
    meta = store_diary(patient, "overdispersed")
    body = clinician_client.get(
        f"/api/v1/clinician/patients/{patient.id}/trends/treatment-response?{query(meta)}"
    ).json()
    assert body["sentence"].startswith("Since starting the change, Alice has logged")


def test_cramps_only_after_the_start_give_an_infinite_ratio_not_null(patient, patient_client):
    today = patient.local_today()
    start = today - timedelta(days=40)
    zone = patient.zone
    rows = []
    for n in range(56):
        day = start - timedelta(days=56 - n)
        rows.append(DailyCheckin(id=uuid.uuid4(), patient=patient, time_zone=patient.time_zone, local_date=day,
                                 recorded_at=datetime.combine(day, time(9), tzinfo=zone), no_cramps=True))  # fmt: skip
    for n in range(20):
        day = start + timedelta(days=14 + n)
        at = datetime.combine(day, time(9), tzinfo=zone)
        rows.append(SpasmEpisode(id=uuid.uuid4(), patient=patient, time_zone=patient.time_zone, local_date=day,
                                 recorded_at=at, occurred_at=at, muscle_group="calf", severity=4))  # fmt: skip
    save(*rows)
    body = patient_client.get(f"/api/v1/trends/treatment-response?start={start}").json()
    exact = next(m for m in body["models"] if m["name"] == "exact_poisson")
    assert (exact["rate_ratio"], exact["ci_high"]) == ("Infinity", "Infinity")
    assert body["comparison"]["rate_ratio"] == "Infinity"
    assert body["verdict"] == "worsened"
    assert "against none before" in body["sentence"]


@pytest.mark.parametrize(
    ("params", "field"),
    [("start=2999-01-01", "start"), ("supplement=zinc", "supplement"), ("lag_days=91", "lag_days")],
)
def test_a_bad_request_is_still_a_400(patient_client, params, field):
    assert_error(patient_client.get(f"/api/v1/trends/treatment-response?{params}"), 400, None, [field])
