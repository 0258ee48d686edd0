"""Tests for diary.stats: no Django, no database.

The statistics are checked against reference values computed *independently*
of the code under test: a small exact implementation below built only on
``math.comb`` and ``fractions.Fraction`` (no scipy), plus a few values
published by R's ``poisson.test`` (checked against that implementation too).
"""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from diary.insights import windows
from diary.insights.stats import RateComparison, WindowStats, compare_poisson_rates
from diary.insights.windows import WindowError, response_windows

# ---------------------------------------------------------------------------
# Independent reference implementation (no scipy)
# ---------------------------------------------------------------------------


def ref_pmf(k: int, n: int, p: Fraction) -> Fraction:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def ref_two_sided_p(x: int, n: int, p: Fraction) -> float:
    """Definition of the exact two-sided binomial p-value used by R:
    the total probability of outcomes no more likely than the observed one,
    with R's relative fuzz 1e-7 so that exact ties are not lost to rounding.
    Computed over *all* outcomes in exact rational arithmetic, unlike R's and
    scipy's tail-search algorithm."""
    threshold = ref_pmf(x, n, p) * (1 + Fraction(1, 10**7))
    total = sum((ref_pmf(k, n, p) for k in range(n + 1) if ref_pmf(k, n, p) <= threshold), Fraction(0))
    return float(min(Fraction(1), total))


def _pmf_float(k: int, n: int, p: float) -> float:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def _upper_tail(x: int, n: int, p: float) -> float:
    return sum(_pmf_float(k, n, p) for k in range(x, n + 1))


def _lower_tail(x: int, n: int, p: float) -> float:
    return sum(_pmf_float(k, n, p) for k in range(x + 1))


def _bisect(f, target: float, increasing: bool) -> float:
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if (f(mid) < target) == increasing:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def ref_clopper_pearson(x: int, n: int, conf: float) -> tuple[float, float]:
    """Exact interval by its definition: pL solves P(X >= x; pL) = alpha/2,
    pU solves P(X <= x; pU) = alpha/2, found by bisection on the binomial
    tails (no beta quantiles)."""
    alpha = 1 - conf
    low = 0.0 if x == 0 else _bisect(lambda p: _upper_tail(x, n, p), alpha / 2, increasing=True)
    high = 1.0 if x == n else _bisect(lambda p: _lower_tail(x, n, p), alpha / 2, increasing=False)
    return low, high


def ref_poisson_test(
    x_after: int, t_after: float, x_before: int, t_before: float, conf: float = 0.95
) -> tuple[float | None, float, float, float]:
    n = x_after + x_before
    if n == 0:
        return None, 0.0, math.inf, 1.0
    p0 = Fraction(t_after) / (Fraction(t_after) + Fraction(t_before))
    p_value = ref_two_sided_p(x_after, n, p0)
    low, high = ref_clopper_pearson(x_after, n, conf)
    scale = t_before / t_after
    ci_low = low / (1 - low) * scale
    ci_high = math.inf if high == 1.0 else high / (1 - high) * scale
    ratio = math.inf if x_before == 0 else (x_after / t_after) / (x_before / t_before)
    return ratio, ci_low, ci_high, p_value


def same4(actual: float | None, expected: float | None) -> bool:
    """Equal to 4 significant digits (exactly equal for 0, inf and None)."""
    if actual is None or expected is None or expected in (0.0, math.inf):
        return actual == expected
    return math.isclose(actual, expected, rel_tol=1e-4)


def assert_matches(result: RateComparison, expected: tuple[float | None, float, float, float]) -> None:
    got = (result.rate_ratio, result.ci_low, result.ci_high, result.p_value)
    for name, a, e in zip(("rate_ratio", "ci_low", "ci_high", "p_value"), got, expected, strict=True):
        assert same4(a, e), f"{name}: got {a!r}, expected {e!r}"


# Values printed by R's poisson.test (two-sided, 95 %):
# (x_after, t_after, x_before, t_before) -> (ratio, ci_low, ci_high, p_value)
R_REFERENCE = {
    # poisson.test(c(10, 20), c(30, 30)) == binom.test(10, 30): p = 2 * pbinom(10, 30, 0.5)
    (10, 30, 20, 30): (0.5, 0.2090060, 1.1191830, 0.09874),
    # Example from R's ?poisson.test (eba1977, Fredericia vs three other cities)
    (11, 800, 21, 1083 + 1050 + 878): (1.971488, 0.8584264, 4.2772659, 0.07967),
    # Closed forms: 0 of 5 at p0 = 1/2 gives p = 2/32 and pU = 1 - 0.025**(1/5)
    (0, 10, 5, 10): (0.0, 0.0, 0.025**-0.2 - 1, 0.0625),
    (5, 10, 0, 10): (math.inf, 1 / (0.025**-0.2 - 1), math.inf, 0.0625),
}


# ---------------------------------------------------------------------------
# Poisson rate comparison
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), list(R_REFERENCE.items()))
def test_independent_reference_reproduces_r(args, expected):
    # Guards the reference itself: if it drifted, the tests below would be
    # comparing the code with something that is not R.
    for got, want in zip(ref_poisson_test(*args), expected, strict=True):
        assert same4(got, want), (got, want)


@pytest.mark.parametrize(("args", "expected"), list(R_REFERENCE.items()))
def test_compare_poisson_rates_matches_r_values(args, expected):
    assert_matches(compare_poisson_rates(*args), expected)


def test_r_reference_ratio_and_p_value_exact_for_ten_versus_twenty():
    result = compare_poisson_rates(10, 30, 20, 30)
    assert result.rate_ratio == 0.5
    assert f"{result.p_value:.4g}" == "0.09874"
    assert f"{result.ci_low:.7f} {result.ci_high:.6f}" == "0.2090060 1.119183"


@pytest.mark.parametrize(
    "args",
    [
        (3, 42, 24, 56),
        (6, 40, 24, 52),
        (24, 56, 3, 42),
        (0, 28, 9, 28),
        (9, 28, 0, 28),
        (1, 1, 1, 1),
        (7, 21.5, 3, 10.25),
        (50, 100, 80, 100),
        (2, 14, 12, 14),
        (120, 365, 180, 365),
        (0, 10, 1, 10),
        (1, 90, 40, 14),
        (13, 14, 14, 14),
    ],
)
def test_compare_poisson_rates_matches_independent_reference(args):
    assert_matches(compare_poisson_rates(*args), ref_poisson_test(*args))


@pytest.mark.parametrize("conf", [0.80, 0.90, 0.99])
def test_compare_poisson_rates_other_confidence_levels(conf):
    args = (8, 35, 21, 42)
    assert_matches(compare_poisson_rates(*args, conf_level=conf), ref_poisson_test(*args, conf=conf))


def test_wider_confidence_gives_wider_interval():
    narrow = compare_poisson_rates(8, 35, 21, 42, conf_level=0.90)
    wide = compare_poisson_rates(8, 35, 21, 42, conf_level=0.99)
    assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high


def test_count_equal_to_its_expectation():
    # binom.test gives p = 1 when x == n * p0; equal windows make the interval
    # symmetric on the log scale, so ci_low * ci_high == 1.
    result = compare_poisson_rates(15, 30, 15, 30)
    assert (result.rate_ratio, result.p_value) == (1.0, 1.0)
    assert math.isclose(result.ci_low * result.ci_high, 1.0)
    assert_matches(result, ref_poisson_test(15, 30, 15, 30))


def test_no_episodes_in_either_window_matches_r():
    # R: rate ratio NaN, interval [0, Inf], p-value 1. We report None for NaN.
    result = compare_poisson_rates(0, 30, 0, 30)
    assert result == RateComparison(rate_ratio=None, ci_low=0.0, ci_high=math.inf, p_value=1.0)


def test_no_episodes_after_gives_zero_ratio_and_zero_lower_bound():
    result = compare_poisson_rates(0, 30, 12, 30)
    assert result.rate_ratio == 0.0
    assert result.ci_low == 0.0
    assert math.isfinite(result.ci_high)
    assert_matches(result, ref_poisson_test(0, 30, 12, 30))


def test_no_episodes_before_gives_infinite_ratio_and_upper_bound():
    result = compare_poisson_rates(12, 30, 0, 30)
    assert result.rate_ratio == math.inf
    assert result.ci_high == math.inf
    assert result.ci_low > 1
    assert_matches(result, ref_poisson_test(12, 30, 0, 30))


def test_ratio_direction_is_after_over_before():
    # 2 a day after against 1 a day before: ratio 2, not 0.5.
    assert compare_poisson_rates(20, 10, 10, 10).rate_ratio == 2.0
    assert compare_poisson_rates(10, 10, 20, 10).rate_ratio == 0.5


@pytest.mark.parametrize(
    "args",
    [
        (1, 0, 1, 10),
        (1, 10, 1, 0),
        (1, -5, 1, 10),
        (1, 10, 1, math.inf),
        (1, math.nan, 1, 10),
        (-1, 10, 1, 10),
        (1, 10, -1, 10),
        (1.5, 10, 1, 10),
        (True, 10, 1, 10),
    ],
)
def test_compare_poisson_rates_rejects_bad_input(args):
    with pytest.raises(ValueError):
        compare_poisson_rates(*args)


@pytest.mark.parametrize("conf", [0.0, 1.0, -0.5, 95])
def test_compare_poisson_rates_rejects_bad_confidence(conf):
    with pytest.raises(ValueError, match="conf_level"):
        compare_poisson_rates(5, 10, 5, 10, conf_level=conf)


# ---------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------


def test_default_windows():
    w = response_windows(date(2024, 3, 10), date(2024, 5, 1))
    # 18 days of January + 29 of February (leap year) + 9 of March = 56
    assert (w.before_start, w.before_end) == (date(2024, 1, 14), date(2024, 3, 10))
    assert (w.lag_start, w.lag_end) == (date(2024, 3, 10), date(2024, 3, 24))
    assert (w.after_start, w.after_end) == (date(2024, 3, 24), date(2024, 5, 2))
    assert (w.before_days, w.lag_days, w.after_days) == (56, 14, 39)
    assert w.before_last_day == date(2024, 3, 9)
    assert w.after_last_day == date(2024, 5, 1)


def test_windows_count_calendar_days_across_dst_and_leap_day():
    # 2024-03-10 (US) and 2024-03-31 (EU) are 23-hour days and 2024-02-29 a
    # leap day: none of that may change how many days a window has.
    w = response_windows(date(2024, 3, 1), date(2024, 4, 30))
    assert w.before_start == date(2024, 1, 5)  # 27 days of January + 29 of February
    assert w.before_days == 56
    assert w.after_start == date(2024, 3, 15)
    assert w.after_days == 47  # 17 days of March + 30 of April
    # Same calendar in a non-leap year starts the before window a day earlier.
    assert response_windows(date(2023, 3, 1), date(2023, 4, 30)).before_start == date(2023, 1, 4)
    # Autumn change (2024-10-27 EU, 2024-11-03 US): 25-hour days.
    autumn = response_windows(date(2024, 10, 20), date(2024, 11, 30), lag_days=0)
    assert autumn.after_days == 42


def test_windows_reject_datetimes():
    # Datetimes would count hours; callers must pass the patient's local date.
    aware = datetime(2024, 3, 10, 23, 30, tzinfo=UTC)
    with pytest.raises(TypeError):
        response_windows(aware, date(2024, 5, 1))
    with pytest.raises(TypeError):
        response_windows(date(2024, 3, 10), datetime(2024, 5, 1, 12, 0))


def test_windows_custom_bounds():
    w = response_windows(
        date(2024, 3, 10),
        date(2024, 6, 30),
        before_start=date(2024, 2, 1),
        after_start=date(2024, 4, 15),
        after_end=date(2024, 5, 31),
    )
    assert (w.before_start, w.before_end) == (date(2024, 2, 1), date(2024, 3, 10))
    assert (w.lag_start, w.lag_end) == (date(2024, 3, 10), date(2024, 4, 15))
    assert (w.after_start, w.after_end) == (date(2024, 4, 15), date(2024, 6, 1))
    assert (w.before_days, w.lag_days, w.after_days) == (38, 36, 47)
    assert w.after_last_day == date(2024, 5, 31)


def test_windows_lag_limits_are_inclusive():
    start, today = date(2024, 1, 1), date(2024, 12, 31)
    assert response_windows(start, today, lag_days=0).after_start == start
    assert response_windows(start, today, lag_days=90).after_start == start + timedelta(days=90)
    assert response_windows(start, today, before_days=1).before_start == date(2023, 12, 31)


def test_windows_after_window_of_one_day():
    w = response_windows(date(2024, 3, 1), date(2024, 3, 15))
    assert w.after_start == w.after_last_day == date(2024, 3, 15)
    assert w.after_days == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lag_days": -1}, "lag_days"),
        ({"lag_days": 91}, "lag_days"),
        ({"lag_days": 7.5}, "lag_days"),
        ({"before_days": 0}, "before_days"),
        ({"before_days": -56}, "before_days"),
        ({"before_start": date(2024, 3, 10)}, "before_start"),
        ({"before_start": date(2024, 3, 20)}, "before_start"),
        ({"after_start": date(2024, 3, 23)}, "after_start"),
        ({"after_start": date(2024, 5, 2)}, "after_start"),
        ({"after_end": date(2024, 3, 23)}, "after_end"),
        ({"after_end": date(2024, 5, 2)}, "after_end"),
        ({"start": date(2024, 4, 20)}, "start"),
        ({"start": date(2024, 5, 2)}, "start"),
    ],
)
def test_window_validation_errors(kwargs, field):
    args = {"start": date(2024, 3, 10), "today": date(2024, 5, 1), **kwargs}
    start, today = args.pop("start"), args.pop("today")
    with pytest.raises(WindowError) as info:
        response_windows(start, today, **args)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.field == field
    # The message is for people: a full sentence, no identifier or repr.
    assert err.message.endswith(".")
    assert err.message[0].isupper()
    assert "_" not in err.message
    assert "datetime" not in err.message
    assert str(err) == f"{field}: {err.message}"


def test_window_error_mentions_earliest_after_start():
    with pytest.raises(WindowError) as info:
        response_windows(date(2024, 3, 10), date(2024, 5, 1), after_start=date(2024, 3, 20))
    assert "24 March 2024" in info.value.message
    assert "14 days" in info.value.message


def test_response_windows_dataclass_rejects_overlap():
    with pytest.raises(ValueError, match="overlap"):
        windows.ResponseWindows(
            before_start=date(2024, 1, 1),
            before_end=date(2024, 2, 1),
            lag_start=date(2024, 1, 20),
            lag_end=date(2024, 2, 15),
            after_start=date(2024, 2, 15),
            after_end=date(2024, 3, 1),
        )


# ---------------------------------------------------------------------------
# Counting a window
# ---------------------------------------------------------------------------


def test_an_empty_window_has_no_rate_and_no_night_share():
    result = WindowStats(episodes=0, reported_days=0)
    assert result.rate_per_day is None
    assert result.night_share is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"episodes": 2, "reported_days": 5, "night_episodes": 3},
        {"episodes": 2, "reported_days": 0},
        {"episodes": -1, "reported_days": 5},
        {"episodes": 2, "reported_days": 5, "mean_severity": 11},
        {"episodes": 2, "reported_days": 5, "mean_severity": -0.5},
        {"episodes": 0, "reported_days": 5, "mean_severity": 3},
    ],
)
def test_window_stats_rejects_inconsistent_counts(kwargs):
    with pytest.raises(ValueError):
        WindowStats(**kwargs)


def test_stats_and_windows_import_without_django_or_scipy():
    code = (
        "import sys, diary.insights.stats, diary.insights.windows; "
        "sys.exit(1 if any(m.split('.')[0] in ('django', 'scipy') for m in sys.modules) else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)  # noqa: S603
    assert completed.returncode == 0, completed.stderr
