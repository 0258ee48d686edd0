"""Trend series and treatment response, against numbers worked out independently."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccessEvent
from tests.conftest import assert_error
from tests.insights.test_stats import ref_poisson_test, same4
from tests.trend_data import checkin, dose, episode, lab_25ohd, regimen, save, sun

pytestmark = pytest.mark.django_db


def today_of(patient) -> date:
    return timezone.localdate(timezone=patient.zone)


@pytest.fixture
def known_diary(patient):
    """Start 70 days ago. Before window (56 days): 21 episodes on 15 days, 30 reported days.
    After window (from day 14 after the start to today, 57 days): 6 episodes, 40 reported days."""
    today = today_of(patient)
    start = today - timedelta(days=70)
    regimen(
        patient, start, amount=50_000, frequency="weekly", weekdays=[start.isoweekday()], end=start + timedelta(days=55)
    )
    rows = []
    before_days = [start - timedelta(days=d) for d in range(1, 31)]  # 30 reported days
    for i, day in enumerate(before_days):
        if i < 15:
            rows += [episode(patient, day, severity=7, hour=2, during_sleep=True)]
            if i < 6:
                rows += [episode(patient, day, severity=5, hour=15)]
        else:
            rows.append(checkin(patient, day))
    after_days = [start + timedelta(days=14 + d) for d in range(40)]
    for i, day in enumerate(after_days):
        rows.append(episode(patient, day, severity=4, hour=23) if i < 6 else checkin(patient, day))
    # The loading lag is left out: these must not count anywhere.
    rows += [episode(patient, start + timedelta(days=d)) for d in range(0, 14, 2)]
    save(*rows)
    lab_25ohd(patient, start - timedelta(days=3), 14.0, "deficient")
    lab_25ohd(patient, start + timedelta(days=50), 36.0, "sufficient")
    return start


def test_treatment_response_matches_an_independent_computation(patient_client, known_diary):
    body = patient_client.get("/api/v1/trends/treatment-response").json()
    start = known_diary
    assert body["start"] == start.isoformat() and body["start_source"] == "regimen"
    assert body["lag"] == {"start": start.isoformat(), "end": (start + timedelta(days=13)).isoformat(), "days": 14}
    before, after = body["before"], body["after"]
    assert (before["episodes"], before["reported_days"], before["days"]) == (21, 30, 56)
    assert (after["episodes"], after["reported_days"], after["days"]) == (6, 40, 57)
    assert before["rate_per_reported_day"] == pytest.approx(21 / 30)
    assert after["rate_per_reported_day"] == pytest.approx(6 / 40)
    ratio, low, high, p_value = ref_poisson_test(6, 40, 21, 30)
    exact = next(model for model in body["models"] if model["name"] == "exact_poisson")
    for name, expected in [("rate_ratio", ratio), ("ci_low", low), ("ci_high", high), ("p_value", p_value)]:
        assert same4(exact[name], expected), (name, exact[name], expected)
    assert same4(exact["rate_ratio"], 0.2142857)
    # The verdict's model is the negative binomial; the same point estimate, its own interval.
    assert body["comparison"]["model"] == "negative_binomial"
    assert same4(body["comparison"]["rate_ratio"], 0.2142857)
    assert body["verdict"] == "improved"
    assert high < 1
    assert before["mean_severity"] == pytest.approx((15 * 7 + 6 * 5) / 21)
    assert body["severity_change"] == pytest.approx(4 - (15 * 7 + 6 * 5) / 21)
    assert before["night_share"] == pytest.approx(15 / 21)
    assert after["night_share"] == pytest.approx(1.0)  # 23:00 is night
    assert body["vitamin_d_before"] == {
        "collected_on": (start - timedelta(days=3)).isoformat(),
        "value_ng_ml": 14.0,
        "category": "deficient",
    }
    assert body["vitamin_d_after"]["category"] == "sufficient"
    assert "fewer" in body["sentence"]


def test_a_thin_window_is_not_enough_data(patient_client, patient):
    today = today_of(patient)
    start = today - timedelta(days=30)
    regimen(patient, start)
    save(
        *[episode(patient, start - timedelta(days=d)) for d in range(1, 11)],
        *[checkin(patient, start + timedelta(days=14 + d)) for d in range(10)],
    )
    body = patient_client.get("/api/v1/trends/treatment-response").json()
    assert body["verdict"] == "not_enough_data"
    assert (body["before"]["reported_days"], body["after"]["reported_days"]) == (10, 10)
    assert body["sentence"]


def test_a_given_start_lag_and_windows(patient_client, patient, known_diary):
    start = known_diary
    body = patient_client.get(
        f"/api/v1/trends/treatment-response?start={start.isoformat()}&lag_days=0&before_days=28"
    ).json()
    assert body["start_source"] == "given"
    assert body["before"]["days"] == 28
    assert body["after"]["start"] == start.isoformat()
    assert body["after"]["episodes"] == 6 + 7  # the lag's episodes now count


def test_no_regimen_and_no_start_says_what_is_missing(patient_client):
    body = patient_client.get("/api/v1/trends/treatment-response").json()
    assert (body["start"], body["verdict"], body["comparison"]) == (None, "not_enough_data", None)
    assert "regimen" in body["sentence"]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("lag_days=91", ["lag_days"]),
        ("lag_days=-1&before_days=0", ["lag_days", "before_days"]),
        ("start=soon", ["start"]),
        ("start=2026-01-10&after_start=2026-01-12", ["after_start"]),
        ("start=2099-01-01", ["start"]),
    ],
)
def test_treatment_response_rejects_bad_windows(patient_client, query, fields):
    assert_error(patient_client.get(f"/api/v1/trends/treatment-response?{query}"), 400, None, fields)


def test_weekly_series_counts_rates_and_overlays(patient_client, patient):
    monday = date(2026, 3, 2)
    plan = regimen(patient, monday, amount=50_000, frequency="weekly", weekdays=[1], end=monday + timedelta(days=55))
    save(
        episode(patient, monday, severity=6), episode(patient, monday + timedelta(days=1), severity=4, hour=3),
        checkin(patient, monday + timedelta(days=2)),  # an explicit zero: reported
        # 2026-03-05 and 06: nothing logged, so missing (not zero); the 8th has only sun: missing too
        sun(patient, monday, 20), sun(patient, monday + timedelta(days=6), 40),
        dose(patient, monday, amount=50_000, plan=plan),
        episode(patient, monday + timedelta(days=7), severity=8),  # next week
    )  # fmt: skip
    body = patient_client.get("/api/v1/trends/spasms?bucket=week&from=2026-03-02&to=2026-03-15").json()
    first, second = body["buckets"]
    assert (first["start"], first["end"], first["days"]) == ("2026-03-02", "2026-03-08", 7)
    assert (first["episodes"], first["reported_days"], first["night_episodes"]) == (2, 3, 1)
    assert first["episodes_per_reported_day"] == pytest.approx(2 / 3)
    assert first["mean_severity"] == pytest.approx(5.0)
    assert first["sun_minutes"] == 60
    assert first["vitamin_d_iu_per_day"] == pytest.approx(7142.857, rel=1e-6)
    assert first["adherence"] == 1.0
    assert (second["episodes"], second["reported_days"], second["adherence"]) == (1, 1, 0.0)
    assert body["supplementation_start"] == "2026-03-02"
    assert body["regimens"][0]["daily_equivalent"] == pytest.approx(7142.857, rel=1e-6)


@pytest.mark.parametrize(
    ("zone", "utc_instant"),
    [("America/Los_Angeles", "2026-03-04T07:30:00Z"), ("Pacific/Auckland", "2026-03-03T10:30:00Z")],
)
def test_an_episode_at_2330_local_is_counted_on_that_local_day(patient_client, patient, zone, utc_instant):
    patient.time_zone = zone
    patient.save()
    response = patient_client.post(
        "/api/v1/diary/episodes", {"occurred_at": utc_instant, "muscle_group": "calf", "severity": 5}, format="json"
    )
    assert response.status_code == 201
    body = patient_client.get("/api/v1/trends/spasms?bucket=day&from=2026-03-02&to=2026-03-04").json()
    assert [(b["start"], b["episodes"], b["night_episodes"]) for b in body["buckets"]] == [
        ("2026-03-02", 0, 0),
        ("2026-03-03", 1, 1),
        ("2026-03-04", 0, 0),
    ]


def test_monthly_buckets_and_labs(patient_client, patient):
    lab_25ohd(patient, date(2026, 2, 10), 12.0, "deficient")
    save(episode(patient, date(2026, 1, 31)), episode(patient, date(2026, 2, 1)))
    body = patient_client.get("/api/v1/trends/spasms?bucket=month&from=2026-01-15&to=2026-03-10").json()
    assert [(b["start"], b["end"], b["episodes"]) for b in body["buckets"]] == [
        ("2026-01-15", "2026-01-31", 1),
        ("2026-02-01", "2026-02-28", 1),
        ("2026-03-01", "2026-03-10", 0),
    ]
    assert [(lab["collected_on"], lab["category"]) for lab in body["labs"]] == [("2026-02-10", "deficient")]


def _series_queries(client) -> int:
    from django.core.cache import cache

    cache.clear()  # the answers are cached; count what computing them costs
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/trends/spasms?bucket=week&from=2020-01-01&to=2026-06-30").status_code == 200
        assert client.get("/api/v1/trends/treatment-response").status_code == 200
    return len(queries)


def test_trend_endpoints_cost_the_same_queries_for_10_and_10000_episodes(patient_client, patient):
    regimen(patient, date(2023, 1, 2))
    save(*[episode(patient, date(2023, 1, 1) - timedelta(days=i)) for i in range(10)])
    small = _series_queries(patient_client)
    save(
        *[episode(patient, date(2020, 1, 1) + timedelta(days=i % 2300)) for i in range(9_990)],
        *[dose(patient, date(2023, 1, 2) + timedelta(days=i)) for i in range(500)],
    )
    assert _series_queries(patient_client) == small


def test_series_access(
    patient,
    clinician,
    clinician_client,
    other_clinician_client,
    revoked_clinician_client,
    stranger_client,
    anon_client,
    patient_client,
):
    for path in ("trends/spasms", "trends/treatment-response"):
        assert_error(anon_client.get(f"/api/v1/{path}"), 401, "not_authenticated")
        assert patient_client.get(f"/api/v1/{path}").status_code == 200
        assert_error(clinician_client.get(f"/api/v1/{path}"), 403, "patient_only")
        assert clinician_client.get(f"/api/v1/clinician/patients/{patient.id}/{path}").status_code == 200
        for client in (other_clinician_client, revoked_clinician_client, stranger_client):
            assert_error(client.get(f"/api/v1/clinician/patients/{patient.id}/{path}"), 404, "not_found")
        assert stranger_client.get(f"/api/v1/{path}").status_code == 200  # their own, empty
    assert list(AccessEvent.objects.values_list("resource", flat=True).order_by("id")) == [
        "trends",
        "treatment-response",
    ]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("bucket=year", ["bucket"]),
        ("from=2026-03-10&to=2026-03-01", ["from"]),
        ("from=tomorrow", ["from"]),
        ("bucket=day&from=2000-01-01&to=2026-01-01", ["from"]),
    ],
)
def test_series_rejects_bad_input(patient_client, query, fields):
    assert_error(patient_client.get(f"/api/v1/trends/spasms?{query}"), 400, None, fields)


def test_answers_are_cached_until_the_diary_changes(patient_client, patient, django_capture_on_commit_callbacks):
    regimen(patient, date(2023, 1, 2))
    url = "/api/v1/trends/treatment-response?start=2023-01-02"
    first = patient_client.get(url).json()
    with CaptureQueriesContext(connection) as queries:
        assert patient_client.get(url).json() == first
    assert len(queries) <= 2  # the user and the link check at most: the answer came from the cache
    # A write through the API changes the version: the next answer is computed again.
    body = {"occurred_at": "2023-03-01T12:00:00+00:00", "muscle_group": "calf", "severity": 5}
    with django_capture_on_commit_callbacks(execute=True):  # the version moves when the write commits
        assert patient_client.post("/api/v1/diary/episodes", body, format="json").status_code == 201
    assert patient_client.get(url).json()["after"]["episodes"] == first["after"]["episodes"] + 1
