"""The verdict, its caveats and its sentence (diary.insights.response), on their own."""

from __future__ import annotations

from datetime import date

import pytest

from diary.insights.response import (
    Audience,
    CoTreatment,
    Interval,
    assess,
    format_rate,
    no_regimen_sentence,
    too_early_sentence,
)
from diary.insights.stats import WindowStats

BEFORE = WindowStats(episodes=28, reported_days=56)  # 3.5 a week
AFTER = WindowStats(episodes=8, reported_days=56)  # 1.0 a week
FALLING = Interval(0.4, 0.25, 0.65)
FLAT = Interval(0.9, 0.6, 1.3)
RISING = Interval(2.1, 1.3, 3.4)


def intervals(primary=FALLING, trend=None, trend_sun=None, before_trend=FLAT) -> dict[str, Interval]:
    return {
        "negative_binomial": primary,
        "nb_trend": trend or primary,
        "nb_trend_sun": trend_sun or primary,
        "before_trend": before_trend,
    }


def judge(**kwargs):
    defaults = {"before": BEFORE, "after": AFTER, "intervals": intervals(), "before_days": 56, "after_days": 56}
    return assess(**{**defaults, **kwargs})


@pytest.mark.parametrize(
    ("primary", "verdict"),
    [
        (Interval(0.4, 0.25, 0.99), "improved"),
        (Interval(0.4, 0.25, 1.0), "no_clear_change"),  # the whole interval must be below 1
        (Interval(1.5, 1.01, 2.2), "worsened"),
        (Interval(1.5, 1.0, 2.2), "no_clear_change"),
        (FLAT, "no_clear_change"),
    ],
)
def test_the_negative_binomial_interval_decides(primary, verdict):
    assert judge(intervals=intervals(primary)).verdict == verdict


def test_a_plain_improvement_says_unlikely_to_be_chance_to_the_patient_and_names_the_patient_to_a_clinician():
    patient = judge()
    assert (patient.verdict, patient.caveats) == ("improved", [])
    assert patient.sentence == (
        "Since starting vitamin D, you have logged fewer cramps: about 1.0 a week instead of 3.5, a drop unlikely "
        "to be chance."
    )
    clinician = judge(audience=Audience(clinician=True, patient_name="Maya Patel"))
    assert clinician.sentence.startswith("Since starting vitamin D, Maya has logged fewer cramps")


def test_cramps_already_falling_before_the_start_never_get_a_plain_improved_sentence():
    answer = judge(intervals=intervals(before_trend=Interval(0.8, 0.7, 0.9)))
    assert answer.verdict == "improved"
    assert [c.code for c in answer.caveats] == ["already_falling"]
    assert "unlikely to be chance" not in answer.sentence
    assert "already falling before you started" in answer.sentence
    assert "about 20% fewer each week" in answer.caveats[0].sentence


def test_trend_and_sun_explain_when_their_interval_includes_one():
    answer = judge(intervals=intervals(trend=FLAT, trend_sun=FLAT))
    assert [c.code for c in answer.caveats] == ["trend_explains", "sun_explains"]
    assert "unlikely to be chance" not in answer.sentence
    only_sun = judge(intervals=intervals(trend=FALLING, trend_sun=FLAT))
    assert [c.code for c in only_sun.caveats] == ["sun_explains"]


def test_a_co_treatment_is_named_with_its_date():
    magnesium = CoTreatment("magnesium", date(2026, 3, 21), "magnesium 300 mg daily")
    answer = judge(co_treatments=[magnesium])
    caveat = answer.caveats[0]
    assert caveat.code == "co_treatment"
    assert "magnesium 300 mg daily started on 21 March 2026" in caveat.sentence
    assert caveat.details["starts"][0]["start_date"] == "2026-03-21"
    assert "something else was started" in answer.sentence


def test_a_dose_change_reads_as_from_a_date():
    change = CoTreatment("vitamin D3", date(2026, 5, 2), "vitamin D3 1,000 IU daily", dose_change=True)
    assert "vitamin D3 1,000 IU daily from 2 May 2026" in judge(co_treatments=[change]).caveats[0].sentence


def test_few_reported_days_in_a_window_is_a_caveat_but_not_a_reason_to_hide_the_verdict():
    answer = judge(after=WindowStats(episodes=4, reported_days=20), after_days=56)
    assert answer.verdict == "improved"
    caveat = next(c for c in answer.caveats if c.code == "few_reported_days")
    assert "20 of 56 days after the start" in caveat.sentence
    assert caveat.details == {"after": {"reported_days": 20, "days": 56}}
    # Exactly half is not "under half".
    assert not [c for c in judge(after=WindowStats(8, 28), after_days=56).caveats if c.code == "few_reported_days"]


def test_thin_windows_give_not_enough_data_with_a_reason():
    thin = judge(after=WindowStats(episodes=1, reported_days=13))
    assert (thin.verdict, thin.reason) == ("not_enough_data", "few_reported_days")
    assert "1 more reported day after the start" in thin.sentence
    assert "a day with only a dose or sun does not" in thin.sentence
    few = judge(before=WindowStats(2, 30), after=WindowStats(2, 30))
    assert (few.verdict, few.reason) == ("not_enough_data", "few_episodes")
    assert "4 cramps" in few.sentence
    unfit = judge(intervals=intervals(primary=Interval(None, None, None)))
    assert (unfit.verdict, unfit.reason) == ("not_enough_data", "no_fit")


def test_worsened_and_no_clear_change_sentences():
    worse = judge(intervals=intervals(RISING), before=WindowStats(8, 56), after=WindowStats(28, 56))
    assert worse.sentence == (
        "Since starting vitamin D, you have logged more cramps: about 3.5 a week instead of 1.0, a rise unlikely "
        "to be chance."
    )
    flat = judge(intervals=intervals(FLAT), audience=Audience(clinician=True, patient_name="Maya"))
    assert flat.sentence.startswith("So far there is no clear change since Maya started vitamin D")


@pytest.mark.parametrize(
    ("per_week", "text"),
    [(0, "0"), (3.456, "3.5"), (12.4, "12"), (0.375, "0.38"), (0.042, "0.042"), (0.05, "0.050")],
)
def test_rates_print_with_sensible_precision(per_week, text):
    assert format_rate(per_week) == text


def test_a_small_rate_never_prints_as_zero():
    # 21 cramps over 900 reported days is 0.16 a week, not "0.0".
    before = WindowStats(episodes=21, reported_days=900)
    answer = judge(before=before, after=WindowStats(2, 900), intervals=intervals())
    assert "instead of 0.16" in answer.sentence


def test_too_early_and_no_regimen_sentences():
    assert "too early to tell" in too_early_sentence("vitamin D", date(2026, 3, 15), 14, Audience())
    assert "15 March 2026" in too_early_sentence("vitamin D", date(2026, 3, 15), 14, Audience())
    assert "not been started yet" in too_early_sentence("vitamin D", None, 14, Audience())
    assert no_regimen_sentence("vitamin D", Audience()).startswith("Add your vitamin D regimen")
    assert "No vitamin D regimen is recorded" in no_regimen_sentence("vitamin D", Audience(clinician=True))
