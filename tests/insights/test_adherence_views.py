"""Adherence through the views that show it: /adherence (patient and clinician), the trend
buckets, the dashboard and the treatment response all read diary.insights.adherence."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest

from diary.dashboard.services import summaries_refresh
from diary.insights import selectors
from diary.kinds import DOSE
from diary.serializers import parse_entry
from diary.services import entry_create
from tests.conftest import make_user
from tests.reminders_support import make_regimen
from tests.trend_data import dose, regimen, save

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 28)


def _dose(patient, regimen, day: date) -> None:
    values, _ = parse_entry(
        DOSE,
        {
            "taken_at": f"{day.isoformat()}T08:05:00+00:00",
            "supplement": regimen.supplement,
            "amount": str(regimen.amount),
            "unit": regimen.unit,
            "regimen_id": str(regimen.id),
        },
    )
    entry_create(kind=DOSE, patient=patient, values=values)


def test_adherence_counts_scheduled_and_taken_by_iso_week(patient_client, patient):
    daily = make_regimen(patient, start_date=date(2026, 6, 3))  # a Wednesday
    weekly = make_regimen(patient, frequency="weekly", weekdays=[7], start_date=date(2026, 6, 1), amount="50000")
    for day in (3, 4, 6, 8, 9, 10, 11, 12, 13, 14, 14):  # one too many in week 24: capped
        _dose(patient, daily, date(2026, 6, day))
    _dose(patient, weekly, date(2026, 6, 8))  # taken on Monday: a day late for Sunday 7 June's slot

    body = patient_client.get("/api/v1/adherence?since=2026-06-01&until=2026-06-14").json()

    by_regimen = {r["regimen_id"]: r for r in body["regimens"]}
    assert [(w["week"], w["scheduled"], w["taken"], w["rate"]) for w in by_regimen[str(daily.id)]["weeks"]] == [
        ("2026-W23", 5, 3, 0.6),
        ("2026-W24", 7, 7, 1.0),
    ]
    assert (by_regimen[str(daily.id)]["scheduled"], by_regimen[str(daily.id)]["taken"]) == (12, 10)
    assert by_regimen[str(daily.id)]["rate"] == 0.833
    # The late dose fills its slot, in the slot's week; Sunday 14 June's slot went untaken.
    assert [(w["week"], w["scheduled"], w["taken"]) for w in by_regimen[str(weekly.id)]["weeks"]] == [
        ("2026-W23", 1, 1),
        ("2026-W24", 1, 0),
    ]


def test_adherence_for_many_patients_costs_three_queries(django_assert_num_queries):
    patients = [make_user(f"p{n}@example.com", time_zone="Europe/Paris") for n in range(12)]
    for n, patient in enumerate(patients):
        regimen = make_regimen(patient, start_date=date(2026, 5, 1))
        make_regimen(patient, frequency="weekly", weekdays=[1], start_date=date(2026, 5, 1), amount="50000")
        for day in range(1, 1 + n):
            _dose(patient, regimen, date(2026, 6, day))
    with django_assert_num_queries(3):  # regimens, skips, doses
        many = selectors.regimen_adherence_by_week(
            patient_ids=[p.id for p in patients], since=date(2026, 6, 1), until=date(2026, 6, 30), today=TODAY
        )
    with django_assert_num_queries(3):  # regimens, skips, doses
        one = selectors.regimen_adherence_by_week(
            patient_ids=[patients[5].id], since=date(2026, 6, 1), until=date(2026, 6, 30), today=TODAY
        )
    assert one[patients[5].id] == many[patients[5].id]
    assert [sum(r.taken for r in many[p.id]) for p in patients] == list(range(12))
    assert all(len(many[p.id]) == 2 for p in patients)


# --- one definition, every view --------------------------------------------------------------
def _pooled(weeks_by_regimen: dict[str, list[dict]], amounts: dict[str, float], week: str | None = None) -> float:
    """Pooled vitamin D from /adherence's per-regimen counts: prescribed IU taken / prescribed."""
    taken = scheduled = 0.0
    for regimen_id, weeks in weeks_by_regimen.items():
        for row in weeks:
            if week is None or row["week"] == week:
                taken += row["taken"] * amounts[regimen_id]
                scheduled += row["scheduled"] * amounts[regimen_id]
    return taken / scheduled


def _adherence(client, since, until) -> dict[str, list[dict]]:
    body = client.get(f"/api/v1/adherence?since={since.isoformat()}&until={until.isoformat()}").json()
    return {r["regimen_id"]: r["weeks"] for r in body["regimens"]}


def test_the_same_doses_give_the_same_adherence_in_every_view(patient, patient_client, clinician_client):
    today = patient.local_today()
    first = today - timedelta(days=27)
    loading = regimen(patient, first, amount=50_000, frequency="weekly", weekdays=[first.isoweekday()])
    daily = regimen(patient, first, amount=1000)
    save(
        dose(patient, first, amount=50_000, plan=loading),  # on time
        dose(patient, first + timedelta(days=8), amount=50_000, plan=loading),  # a day late
        # the third loading dose is missed; the fourth is logged by hand, without the regimen
        dose(patient, first + timedelta(days=21), amount=50_000),
        *[dose(patient, first + timedelta(days=d), plan=daily) for d in range(0, 28, 2)],
        dose(patient, first + timedelta(days=2)),  # the same day's pill logged twice: counts once
    )
    amounts = {str(loading.id): 50_000.0, str(daily.id): 1000.0}

    # /adherence, the patient's and the clinician's: per regimen, by ISO week.
    weeks = _adherence(patient_client, first, today)
    clinician_body = clinician_client.get(
        f"/api/v1/clinician/patients/{patient.id}/adherence?since={first.isoformat()}&until={today.isoformat()}"
    ).json()
    assert {r["regimen_id"]: r["weeks"] for r in clinician_body["regimens"]} == weeks
    assert sum(w["taken"] for w in weeks[str(loading.id)]) == 3
    assert sum(w["scheduled"] for w in weeks[str(loading.id)]) == 4
    # Today's pill is not missed yet: 27 decided days, every other one taken (days 0..26 even = 14).
    assert sum(w["scheduled"] for w in weeks[str(daily.id)]) == 27
    assert sum(w["taken"] for w in weeks[str(daily.id)]) == 14
    expected_28 = (3 * 50_000 + 14 * 1000) / (4 * 50_000 + 27 * 1000)
    assert _pooled(weeks, amounts) == pytest.approx(expected_28)

    # The weekly trend: each bucket's adherence is that ISO week's pooled figure.
    series = patient_client.get(
        f"/api/v1/trends/spasms?bucket=week&from={first.isoformat()}&to={today.isoformat()}"
    ).json()
    for bucket in series["buckets"]:
        year, week, _ = date.fromisoformat(bucket["start"]).isocalendar()
        assert bucket["adherence"] == pytest.approx(_pooled(weeks, amounts, f"{year}-W{week:02d}")), bucket

    # The dashboard's 28 days.
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        summaries_refresh([patient.id])
        row = clinician_client.get("/api/v1/clinician/patients").json()["results"][0]
    assert row["adherence_28_days"] == pytest.approx(expected_28)

    # The treatment response's after window (after the 14-day loading lag).
    response = patient_client.get("/api/v1/trends/treatment-response").json()
    after_start = date.fromisoformat(response["after"]["start"])
    assert after_start == first + timedelta(days=14)
    assert response["adherence_after"] == pytest.approx(
        _pooled(_adherence(patient_client, after_start, today), amounts)
    )
