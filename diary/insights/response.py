"""The treatment-response answer: the verdict, the caveats beside it and the sentence a
patient or a clinician reads. Plain Python, no Django, no statistics library: the numbers
come in from `stats` (exact test) and `regression` (the negative binomial models).

DOMAIN.md's "Statistics for 'did it help?'" is the clinical source. The verdict comes from
the negative binomial model (counts cluster, so a Poisson interval is too narrow): it says
"improved" only when the whole 95% interval of the rate ratio is below 1, "worsened" only
when it is above 1. The caveats are shown beside it, in plain words, whenever they apply,
and a sentence never says "unlikely to be chance" when one of them undercuts that.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from diary.insights.stats import (
    MIN_EPISODES,
    MIN_REPORTED_DAYS,
    VERDICT_IMPROVED,
    VERDICT_NO_CLEAR_CHANGE,
    VERDICT_NOT_ENOUGH_DATA,
    VERDICT_WORSENED,
    WindowStats,
)

PRIMARY_MODEL = "negative_binomial"

# Why there is no verdict yet.
REASON_NO_REGIMEN = "no_regimen"
REASON_TOO_EARLY = "too_early"
REASON_FEW_REPORTED_DAYS = "few_reported_days"
REASON_FEW_EPISODES = "few_episodes"
REASON_NO_FIT = "no_fit"
REASONS = (REASON_NO_REGIMEN, REASON_TOO_EARLY, REASON_FEW_REPORTED_DAYS, REASON_FEW_EPISODES, REASON_NO_FIT)

CAVEAT_ALREADY_FALLING = "already_falling"
CAVEAT_TREND_EXPLAINS = "trend_explains"
CAVEAT_SUN_EXPLAINS = "sun_explains"
CAVEAT_CO_TREATMENT = "co_treatment"
CAVEAT_FEW_REPORTED_DAYS = "few_reported_days"
CAVEATS = (
    CAVEAT_ALREADY_FALLING,
    CAVEAT_TREND_EXPLAINS,
    CAVEAT_SUN_EXPLAINS,
    CAVEAT_CO_TREATMENT,
    CAVEAT_FEW_REPORTED_DAYS,
)
# These say the change may have another cause than the treatment.
_UNDERCUTTING = (CAVEAT_ALREADY_FALLING, CAVEAT_TREND_EXPLAINS, CAVEAT_SUN_EXPLAINS, CAVEAT_CO_TREATMENT)


@dataclass(frozen=True)
class Interval:
    """A model's rate ratio with its 95% interval (None: not estimable)."""

    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def estimable(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    @property
    def below_one(self) -> bool:
        return self.estimable and self.ci_high < 1.0

    @property
    def above_one(self) -> bool:
        return self.estimable and self.ci_low > 1.0

    @property
    def excludes_one(self) -> bool:
        return self.below_one or self.above_one

    @property
    def includes_one(self) -> bool:
        return self.estimable and not self.excludes_one


@dataclass(frozen=True)
class CoTreatment:
    """Another start inside the windows: a supplement begun, or a change of the tested dose."""

    supplement: str  # its display name, "magnesium"
    start_date: date
    description: str  # "magnesium 300 mg daily"
    dose_change: bool = False


@dataclass(frozen=True)
class Audience:
    """Who reads: the patient ("you") or a clinician (the patient's first name)."""

    clinician: bool = False
    patient_name: str = ""

    @property
    def subject(self) -> str:
        if not self.clinician:
            return "you"
        return (self.patient_name.split() or ["This patient"])[0]

    def has(self) -> str:
        return "have" if not self.clinician else "has"


@dataclass(frozen=True)
class Caveat:
    code: str
    sentence: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    verdict: str
    reason: str | None
    sentence: str
    caveats: list[Caveat]


# --- numbers in words ------------------------------------------------------------------------
def format_rate(per_week: float) -> str:
    """A weekly rate with the precision it deserves: "3.5", "0.38", "0.042"; never "0.0"
    for a rate that is not zero (two significant figures below one a week)."""
    if per_week == 0:
        return "0"
    if per_week >= 10:
        return f"{per_week:.0f}"
    if per_week >= 1:
        return f"{per_week:.1f}"
    digits = 1 - math.floor(math.log10(per_week))  # two significant figures
    return f"{per_week:.{digits}f}"


def _format_pair(first: float, second: float) -> tuple[str, str]:
    """Two rates, with one more decimal when the usual precision would print them alike."""
    a, b = format_rate(first), format_rate(second)
    if a == b and first != second:
        a, b = f"{first:.2f}", f"{second:.2f}"
    return a, b


def _long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- caveats ---------------------------------------------------------------------------------
def caveats_for(
    *,
    primary: Interval,
    trend: Interval,
    trend_sun: Interval,
    before_trend: Interval,
    co_treatments: Sequence[CoTreatment],
    before: WindowStats,
    after: WindowStats,
    before_days: int,
    after_days: int,
    treatment: str,
    audience: Audience,
) -> list[Caveat]:
    who = audience.subject
    caveats: list[Caveat] = []
    if before_trend.below_one:
        weekly_fall = 1 - before_trend.rate_ratio
        caveats.append(
            Caveat(
                CAVEAT_ALREADY_FALLING,
                f"Cramps were already becoming less frequent before {who} started {treatment} (about "
                f"{weekly_fall:.0%} fewer each week), so some or all of a later fall may have happened anyway.",
                {"change_per_week": before_trend.rate_ratio},
            )
        )
    if primary.excludes_one and trend.includes_one:
        caveats.append(
            Caveat(
                CAVEAT_TREND_EXPLAINS,
                "Once the steady change over time is taken into account, the difference before and after the "
                "start could be chance.",
            )
        )
    if primary.excludes_one and trend_sun.includes_one:
        caveats.append(
            Caveat(
                CAVEAT_SUN_EXPLAINS,
                "Once time outdoors in the sun is taken into account (with the trend), the difference could be "
                "chance: the season may explain part of it.",
            )
        )
    if co_treatments:
        named = "; ".join(
            f"{c.description} {'from' if c.dose_change else 'started on'} {_long_date(c.start_date)}"
            for c in co_treatments
        )
        caveats.append(
            Caveat(
                CAVEAT_CO_TREATMENT,
                f"Something else changed in the same period ({named}): that can change cramps on its own.",
                {
                    "starts": [
                        {
                            "supplement": c.supplement,
                            "start_date": c.start_date.isoformat(),
                            "description": c.description,
                            "dose_change": c.dose_change,
                        }
                        for c in co_treatments
                    ]
                },
            )
        )
    thin = [
        (name, window, days)
        for name, window, days in (("before", before, before_days), ("after", after, after_days))
        if days and window.reported_days < days / 2
    ]
    if thin:
        parts = [f"{window.reported_days} of {days} days {name} the start" for name, window, days in thin]
        caveats.append(
            Caveat(
                CAVEAT_FEW_REPORTED_DAYS,
                f"Fewer than half the days say anything about cramps ({'; '.join(parts)}): days without an entry "
                "are left out, not counted as cramp-free, and the answer rests on the days that were reported.",
                {name: {"reported_days": window.reported_days, "days": days} for name, window, days in thin},
            )
        )
    return caveats


# --- the verdict and its sentence --------------------------------------------------------------
def not_enough(before: WindowStats, after: WindowStats) -> str | None:
    """The reason thin data gives no verdict, or None when there is enough."""
    if before.reported_days < MIN_REPORTED_DAYS or after.reported_days < MIN_REPORTED_DAYS:
        return REASON_FEW_REPORTED_DAYS
    if before.episodes + after.episodes < MIN_EPISODES:
        return REASON_FEW_EPISODES
    return None


def assess(
    *,
    before: WindowStats,
    after: WindowStats,
    intervals: Mapping[str, Interval],
    co_treatments: Sequence[CoTreatment] = (),
    before_days: int,
    after_days: int,
    treatment: str = "vitamin D",
    audience: Audience = Audience(),
) -> Assessment:
    primary = intervals.get(PRIMARY_MODEL, Interval(None, None, None))
    none = Interval(None, None, None)
    caveats = caveats_for(
        primary=primary,
        trend=intervals.get("nb_trend", none),
        trend_sun=intervals.get("nb_trend_sun", none),
        before_trend=intervals.get("before_trend", none),
        co_treatments=co_treatments,
        before=before,
        after=after,
        before_days=before_days,
        after_days=after_days,
        treatment=treatment,
        audience=audience,
    )
    reason = not_enough(before, after)
    if reason is None and not primary.estimable:
        reason = REASON_NO_FIT
    if reason is not None:
        return Assessment(
            VERDICT_NOT_ENOUGH_DATA, reason, not_enough_sentence(reason, before, after, treatment, audience), caveats
        )
    if primary.below_one:
        verdict = VERDICT_IMPROVED
    elif primary.above_one:
        verdict = VERDICT_WORSENED
    else:
        verdict = VERDICT_NO_CLEAR_CHANGE
    sentence = verdict_sentence(verdict, before, after, caveats, treatment=treatment, audience=audience)
    return Assessment(verdict, None, sentence, caveats)


def verdict_sentence(
    verdict: str,
    before: WindowStats,
    after: WindowStats,
    caveats: Sequence[Caveat] = (),
    *,
    treatment: str = "vitamin D",
    audience: Audience = Audience(),
) -> str:
    who, has = audience.subject, audience.has()
    since = f"Since starting {treatment}, {who} {has} logged"
    before_week, after_week = before.rate_per_day * 7, after.rate_per_day * 7
    after_text, before_text = _format_pair(after_week, before_week)
    undercut = next((c for c in caveats if c.code in _UNDERCUTTING), None)
    if verdict == VERDICT_NO_CLEAR_CHANGE:
        return (
            f"So far there is no clear change since {who} started {treatment}: about {after_text} cramps a week "
            f"now against {before_text} before, and a difference like this could be chance."
        )
    if verdict == VERDICT_IMPROVED:
        change = (
            f"{since} no cramps at all, against about {before_text} a week before"
            if after_week == 0
            else f"{since} fewer cramps: about {after_text} a week instead of {before_text}"
        )
    elif verdict == VERDICT_WORSENED:
        change = (
            f"{since} more cramps: about {after_text} a week, against none before"
            if before_week == 0
            else f"{since} more cramps: about {after_text} a week instead of {before_text}"
        )
    else:
        raise ValueError(f"unknown verdict {verdict!r}")
    direction = "drop" if verdict == VERDICT_IMPROVED else "rise"
    if undercut is None:
        return f"{_capital(change)}, a {direction} unlikely to be chance."
    ending = {
        CAVEAT_ALREADY_FALLING: f"but cramps were already falling before {who} started, so this may not be {treatment}'s doing",
        CAVEAT_TREND_EXPLAINS: "but allowing for a steady change over time, it could be chance",
        CAVEAT_SUN_EXPLAINS: "but allowing for time spent in the sun, it could be chance",
        CAVEAT_CO_TREATMENT: "but something else was started in the same period, which may explain it",
    }[undercut.code]
    return f"{_capital(change)}, {ending} (see below)."


def not_enough_sentence(
    reason: str, before: WindowStats, after: WindowStats, treatment: str, audience: Audience
) -> str:
    who, has = audience.subject, audience.has()
    intro = f"There is not enough data yet to tell whether {treatment} has made a difference"
    if reason == REASON_FEW_REPORTED_DAYS:
        missing = []
        if after.reported_days < MIN_REPORTED_DAYS:
            need = MIN_REPORTED_DAYS - after.reported_days
            missing.append(
                f"{_plural(need, 'more reported day')} after the start (a day marked \u201cno cramps\u201d counts "
                "too; a day with only a dose or sun does not)"
            )
        if before.reported_days < MIN_REPORTED_DAYS:
            need = MIN_REPORTED_DAYS - before.reported_days
            missing.append(
                f"{_plural(need, 'more reported day')} from before the start (past days can be added, or the "
                "comparison can start earlier)"
            )
        return f"{intro}: it needs {' and '.join(missing)}."
    if reason == REASON_FEW_EPISODES:
        total = before.episodes + after.episodes
        return (
            f"{intro}: {who} {has} logged {_plural(total, 'cramp')} in the two periods together, and at least "
            f"{MIN_EPISODES} are needed to compare."
        )
    if reason == REASON_NO_FIT:
        return f"{intro}: the cramp counts could not be compared reliably."
    raise ValueError(f"unknown reason {reason!r}")


def too_early_sentence(treatment: str, after_start: date | None, lag_days: int, audience: Audience) -> str:
    if after_start is None:
        return f"It is too early to tell: {treatment} has not been started yet."
    return (
        f"It is too early to tell: the comparison starts on {_long_date(after_start)}, once the first "
        f"{lag_days} days of {treatment} (while levels rise) are over."
    )


def no_regimen_sentence(treatment: str, audience: Audience) -> str:
    if audience.clinician:
        return f"No {treatment} regimen is recorded yet, so there is nothing to compare before and after."
    return f"Add your {treatment} regimen (or choose a start date) to compare cramps before and after."
