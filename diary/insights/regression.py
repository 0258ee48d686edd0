"""The negative binomial models behind "did cramps fall after the start?". No Django.

DOMAIN.md: cramps cluster (bad nights, bad weeks), so daily counts vary more than a Poisson
model allows and its interval is too narrow. A negative binomial (NB2, log link) of the
daily counts, as R's `MASS::glm.nb` fits it, widens the interval honestly. Fitted on one row
per *reported* day of the two windows (the loading lag left out), with covariates `after`
(0/1), `t` (weeks since the before window's first day) and `sun_minutes` (that day's sun):

| name | model (R notation) | ratio reported |
| --- | --- | --- |
| negative_binomial | episodes ~ after | exp(coef of after): the verdict's model |
| nb_trend | episodes ~ after + t | exp(coef of after), the trend taken out |
| nb_trend_sun | episodes ~ after + t + sun_minutes | exp(coef of after), trend and sun out |
| before_trend | before-window days only: episodes ~ t | exp(coef of t): the change per week before |

How, and why it equals R: theta (the dispersion) is estimated by maximum likelihood with
statsmodels' discrete `NegativeBinomial(loglike_method="nb2")`; the coefficients and their
standard errors come from refitting `GLM(family=NegativeBinomial(alpha=1/theta))`, i.e. with
theta held at its ML value, which is what `summary(glm.nb(...))` reports (the discrete
model's own standard errors come from the joint Hessian and differ by up to 12%). The
committed reference (reference/: the R script, its data and the values it printed) is
matched to three significant figures by tests/insights/test_regression.py.

When theta runs off to infinity (no overdispersion: R warns "iteration limit reached" and
the product, like reference.R, falls back) or the fit does not converge, the model is a
Poisson GLM and says so. When a window holds no cramp at all, no model has a finite
coefficient; the verdict's model then reports the exact conditional test (R's poisson.test)
instead, the others say they cannot be estimated. Nothing here raises on thin data.

statsmodels, numpy and scipy are imported inside the functions: web, worker and beat
processes import this package at start, and only a fit needs them. A fit of all four
models takes about 15 ms; the caller caches fits by their input.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

#: Part of the fits' cache key: change it when the fitting changes.
MODELS_VERSION = "nb2-statsmodels-1"
#: Above this theta the negative binomial's extra variance (mu^2/theta) is nothing: Poisson.
THETA_MAX = 5_000.0
MIN_ROWS = 3

MODEL_NAMES = ("negative_binomial", "nb_trend", "nb_trend_sun", "before_trend")


@dataclass(frozen=True)
class DayRow:
    day: date
    episodes: int  # cramp episodes that local day (0 for an explicit "no cramps" day)
    after: bool  # in the after window (False: the before window)
    sun_minutes: float  # minutes of sun logged that local day, 0 when none


@dataclass(frozen=True)
class ModelFit:
    name: str
    family: str  # negative_binomial | poisson | poisson_exact
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    theta: float | None
    converged: bool
    n: int
    note: str


def rows_for_windows(
    days: Mapping[date, tuple[int, float]], *, before_start: date, before_end: date, after_start: date, after_end: date
) -> list[DayRow]:
    """Every reported day inside [before_start, before_end) or [after_start, after_end), sorted."""
    rows = []
    for day in sorted(days):
        before = before_start <= day < before_end
        after = after_start <= day < after_end
        if before or after:
            episodes, sun = days[day]
            rows.append(DayRow(day, int(episodes), after, float(sun)))
    return rows


def _not_estimable(name: str, n: int, note: str) -> ModelFit:
    return ModelFit(name, "negative_binomial", None, None, None, None, None, False, n, note)


def _design(rows: Sequence[DayRow], before_start: date, columns: Sequence[str]):
    import numpy as np

    values = {
        "after": [1.0 if row.after else 0.0 for row in rows],
        "t": [(row.day - before_start).days / 7 for row in rows],
        "sun_minutes": [row.sun_minutes for row in rows],
    }
    X = np.column_stack([np.ones(len(rows)), *[values[c] for c in columns]])
    y = np.array([row.episodes for row in rows], dtype=float)
    return y, X


def _wald(name: str, family: str, b: float, se: float, theta: float | None, converged: bool, n: int, note: str):
    from scipy.stats import norm

    if not (math.isfinite(b) and math.isfinite(se) and se > 0):
        return _not_estimable(name, n, note or "The model has no finite estimate for these days.")
    z = norm.ppf(0.975)
    return ModelFit(
        name,
        family,
        math.exp(b),
        math.exp(b - z * se),
        math.exp(b + z * se),
        float(2 * norm.sf(abs(b / se))),
        theta,
        converged,
        n,
        note,
    )


def fit_model(name: str, rows: Sequence[DayRow], before_start: date, columns: Sequence[str]) -> ModelFit:
    """One NB2 model (or its Poisson fallback); the reported term is the first column."""
    import numpy as np
    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    n = len(rows)
    if n < MIN_ROWS:
        return _not_estimable(name, n, "Too few reported days to fit a model.")
    y, X = _design(rows, before_start, columns)
    for index, column in enumerate(columns, start=1):
        if np.ptp(X[:, index]) == 0:
            what = {"after": "one of the two windows", "t": "time", "sun_minutes": "sun"}[column]
            return _not_estimable(name, n, f"No variation in {what} among these days: the model cannot use it.")
    if y.sum() == 0:
        return _not_estimable(name, n, "No cramps on these days: there is no rate to compare.")
    with warnings.catch_warnings():
        # statsmodels warns on convergence and on separation; both are turned into a
        # fallback and a note below, never left in the logs.
        warnings.simplefilter("ignore")
        family, theta, note, converged = "negative_binomial", None, "", True
        try:
            nb = NegativeBinomial(y, X, loglike_method="nb2").fit(disp=0, maxiter=200)
            alpha = float(nb.params[-1])
            converged = bool(nb.mle_retvals.get("converged", False))
            theta = 1 / alpha if alpha > 0 else math.inf
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            converged, theta = False, None
        if theta is None or not converged or not math.isfinite(theta) or theta > THETA_MAX:
            family = "poisson"
            note = (
                "No overdispersion in these days (the counts vary no more than chance): fitted as Poisson."
                if converged
                else "The negative binomial fit did not converge: fitted as Poisson."
            )
            glm_family, theta = families.Poisson(), None
        else:
            glm_family = families.NegativeBinomial(alpha=1 / theta)
        try:
            fit = GLM(y, X, family=glm_family).fit()
            b, se = float(fit.params[1]), float(fit.bse[1])
            converged = bool(fit.converged)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            return _not_estimable(name, n, "The model could not be fitted on these days.")
    return _wald(name, family, b, se, theta, converged, n, note)


def _exact_fallback(rows: Sequence[DayRow]) -> ModelFit | None:
    """A window without a single cramp: no model has a finite coefficient (R's glm.nb
    answers a huge one with a meaningless interval). The verdict's model reports the exact
    conditional test of the two rates instead (R's poisson.test)."""
    before = [row for row in rows if not row.after]
    after = [row for row in rows if row.after]
    if not before or not after:
        return None
    x_before, x_after = sum(r.episodes for r in before), sum(r.episodes for r in after)
    if (x_before and x_after) or not (x_before or x_after):
        return None
    from diary.insights.stats import compare_poisson_rates

    test = compare_poisson_rates(x_after, len(after), x_before, len(before))
    return ModelFit(
        "negative_binomial",
        "poisson_exact",
        test.rate_ratio,
        test.ci_low,
        test.ci_high,
        test.p_value,
        None,
        True,
        len(rows),
        f"No cramps {'after' if x_after == 0 else 'before'} the start: a model has no finite estimate, so the "
        "exact test of the two rates is used.",
    )


def fit_all(rows: Sequence[DayRow], before_start: date) -> dict[str, ModelFit]:
    """The four models on the reported days of both windows (see the module docstring)."""
    rows = list(rows)
    separated = _exact_fallback(rows)
    if separated is not None:
        note = separated.note
        return {
            "negative_binomial": separated,
            "nb_trend": _not_estimable("nb_trend", len(rows), note),
            "nb_trend_sun": _not_estimable("nb_trend_sun", len(rows), note),
            "before_trend": fit_model("before_trend", [r for r in rows if not r.after], before_start, ["t"]),
        }
    if not any(r.after for r in rows) or all(r.after for r in rows):
        missing = "after" if not any(r.after for r in rows) else "before"
        note = f"No reported day {missing} the start."
        fits = {name: _not_estimable(name, len(rows), note) for name in MODEL_NAMES[:3]}
        before = [r for r in rows if not r.after]
        fits["before_trend"] = fit_model("before_trend", before, before_start, ["t"])
        return fits
    return {
        "negative_binomial": fit_model("negative_binomial", rows, before_start, ["after"]),
        "nb_trend": fit_model("nb_trend", rows, before_start, ["after", "t"]),
        "nb_trend_sun": fit_model("nb_trend_sun", rows, before_start, ["after", "t", "sun_minutes"]),
        "before_trend": fit_model("before_trend", [r for r in rows if not r.after], before_start, ["t"]),
    }
