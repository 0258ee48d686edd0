"""The negative binomial models equal R's MASS::glm.nb on the committed reference diaries
(reference.R and the values it printed are in diary/insights/reference/; CI has no R)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from diary.insights.regression import DayRow, fit_all, rows_for_windows

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "diary" / "insights" / "reference"
R_VALUES = json.loads((REFERENCE / "reference_values.json").read_text())
DIARIES = sorted(R_VALUES["diaries"])


def load(name: str) -> tuple[list[DayRow], date]:
    meta = json.loads((REFERENCE / f"{name}.json").read_text())
    start, today = date.fromisoformat(meta["start"]), date.fromisoformat(meta["today"])
    before_start = start - timedelta(days=meta["before_days"])
    with (REFERENCE / f"{name}.csv").open() as handle:
        days = {
            date.fromisoformat(r["day"]): (int(r["episodes"]), float(r["sun_minutes"])) for r in csv.DictReader(handle)
        }
    rows = rows_for_windows(
        days,
        before_start=before_start,
        before_end=start,
        after_start=start + timedelta(days=meta["lag_days"]),
        after_end=today + timedelta(days=1),
    )
    return rows, before_start


def same3(ours: float, theirs: float) -> bool:
    """Equal to three significant figures."""
    return f"{ours:.3g}" == f"{theirs:.3g}" or abs(ours - theirs) <= 5e-4 * abs(theirs)


@pytest.mark.parametrize("name", DIARIES)
def test_every_model_equals_r_to_three_significant_figures(name):
    rows, before_start = load(name)
    fits = fit_all(rows, before_start)
    for model, expected in R_VALUES["diaries"][name].items():
        fit = fits[model]
        assert fit.family == expected["family"], (name, model, fit.note)
        assert fit.n == expected["n"], (name, model)
        for ours, theirs in [
            (fit.rate_ratio, expected["rate_ratio"]),
            (fit.ci_low, expected["ci_low"]),
            (fit.ci_high, expected["ci_high"]),
            (fit.p_value, expected["p_value"]),
        ]:
            assert same3(ours, theirs), (name, model, ours, theirs)
        if expected["theta"] is None:
            assert fit.theta is None and "Poisson" in fit.note
        else:
            assert same3(fit.theta, expected["theta"]), (name, model, fit.theta, expected["theta"])


def test_the_reference_covers_the_three_stories_and_the_fallback():
    diaries = R_VALUES["diaries"]
    assert diaries["overdispersed"]["negative_binomial"]["theta"] < 5  # counts cluster
    assert diaries["falling_before"]["before_trend"]["ci_high"] < 1  # already falling
    assert diaries["sun_driven"]["negative_binomial"]["ci_high"] < 1  # "improved"...
    assert diaries["sun_driven"]["nb_trend_sun"]["ci_low"] < 1 < diaries["sun_driven"]["nb_trend_sun"]["ci_high"]
    assert all(m["family"] == "poisson" for m in diaries["steady"].values())  # theta runs off in R too


def test_the_negative_binomial_interval_is_wider_than_poissons_when_cramps_cluster():
    from diary.insights.stats import compare_poisson_rates

    rows, before_start = load("overdispersed")
    nb = fit_all(rows, before_start)["negative_binomial"]
    before = [r for r in rows if not r.after]
    after = [r for r in rows if r.after]
    exact = compare_poisson_rates(
        sum(r.episodes for r in after), len(after), sum(r.episodes for r in before), len(before)
    )
    assert nb.ci_high - nb.ci_low > exact.ci_high - exact.ci_low


def rows_of(counts_before: list[int], counts_after: list[int], sun: float = 0.0) -> tuple[list[DayRow], date]:
    start = date(2026, 1, 1)
    rows = [DayRow(start + timedelta(days=i), c, False, sun + i % 3) for i, c in enumerate(counts_before)]
    rows += [DayRow(start + timedelta(days=70 + i), c, True, sun + i % 5) for i, c in enumerate(counts_after)]
    return rows, start


@pytest.mark.parametrize(
    ("before", "after"),
    [([], []), ([0] * 20, [0] * 20), ([1, 2] * 10, []), ([], [1, 0] * 10), ([1], [0]), ([3, 0, 1] * 7, [0] * 20)],
)
def test_thin_or_degenerate_diaries_never_raise(before, after):
    rows, start = rows_of(before, after)
    fits = fit_all(rows, start)
    assert set(fits) == {"negative_binomial", "nb_trend", "nb_trend_sun", "before_trend"}
    for fit in fits.values():
        assert fit.rate_ratio is None or fit.rate_ratio >= 0
        if fit.rate_ratio is None:
            assert fit.note


def test_no_cramps_after_the_start_uses_the_exact_test_for_the_verdict_model():
    rows, start = rows_of([2, 0, 1, 3, 0, 1, 2] * 4, [0] * 28)
    fits = fit_all(rows, start)
    primary = fits["negative_binomial"]
    assert (primary.family, primary.rate_ratio, primary.ci_low) == ("poisson_exact", 0.0, 0.0)
    assert primary.ci_high < 1
    assert "No cramps after the start" in primary.note
    assert fits["nb_trend"].rate_ratio is None


def test_no_sun_logged_makes_the_sun_model_not_estimable():
    rows, start = load("overdispersed")
    no_sun = [DayRow(r.day, r.episodes, r.after, 0.0) for r in rows]
    fits = fit_all(no_sun, start)
    assert fits["nb_trend_sun"].rate_ratio is None
    assert "sun" in fits["nb_trend_sun"].note
    assert fits["negative_binomial"].rate_ratio is not None


def test_rows_for_windows_keeps_the_half_open_windows_only():
    days = {date(2026, 1, d): (d, 0.0) for d in range(1, 32)}
    rows = rows_for_windows(
        days,
        before_start=date(2026, 1, 2),
        before_end=date(2026, 1, 10),
        after_start=date(2026, 1, 20),
        after_end=date(2026, 1, 25),
    )
    assert [r.day.day for r in rows] == [2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23, 24]
    assert [r.after for r in rows].count(True) == 5


def test_importing_the_module_loads_no_statistics_library():
    code = (
        "import sys, diary.insights.regression; "
        "sys.exit(1 if {m.split('.')[0] for m in sys.modules} & {'statsmodels', 'scipy', 'pandas', 'numpy'} else 0)"
    )
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert completed.returncode == 0, completed.stderr
