"""Writes the reference diaries (CSV + meta JSON) that reference.R fits with MASS::glm.nb.

Deterministic: run it again and the files are byte-identical. One line per *reported* day
(an episode or an explicit "no cramps"); unreported days are absent, as in the product.
Usage: python diary/insights/reference/make_diaries.py
"""

from __future__ import annotations

import json
import math
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = date(2026, 3, 2)
BEFORE_DAYS, LAG_DAYS = 56, 14
TODAY = START + timedelta(days=LAG_DAYS + 55)  # an eight-week after window


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def diary(name: str, seed: int, mean_for, sun_for, report_share: float = 0.85) -> None:
    rng = random.Random(seed)
    rows = []
    day = START - timedelta(days=BEFORE_DAYS)
    burst = 1.0
    while day <= TODAY:
        if day.weekday() == 0:
            burst = rng.gammavariate(1.5, 1 / 1.5)  # a bad or a good week: mean 1, clustered
        sun = sun_for(rng, day)
        mean = mean_for(day, sun, burst)
        count = 1 if mean >= 30 else poisson(rng, mean)  # "steady": exactly one
        if count or rng.random() < report_share:
            rows.append(f"{day.isoformat()},{count},{sun}")
        day += timedelta(days=1)
    (HERE / f"{name}.csv").write_text("day,episodes,sun_minutes\n" + "\n".join(rows) + "\n")
    meta = {"start": START.isoformat(), "before_days": BEFORE_DAYS, "lag_days": LAG_DAYS, "today": TODAY.isoformat()}
    (HERE / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")


def after(day: date) -> bool:
    return day >= START


def some_sun(rng: random.Random, day: date) -> int:
    return rng.choice([0, 0, 10, 15, 20, 30])


def main() -> None:
    # 1. Cramps cluster in bad weeks; a real drop after the start.
    diary("overdispersed", 1, lambda d, s, b: (0.35 if after(d) else 1.1) * b * 1.0, some_sun)
    # 2. Already falling through the before window (regression to the mean), little extra after.
    before_start = START - timedelta(days=BEFORE_DAYS)
    diary(
        "falling_before",
        2,
        lambda d, s, b: 0.35 if after(d) else 1.4 - 1.0 * (d - before_start).days / BEFORE_DAYS,
        some_sun,
    )
    # 3. Cramps move with sun (the season); the after window is sunnier.
    diary(
        "sun_driven",
        3,
        lambda d, s, b: 1.1 * math.exp(-0.03 * s) * (0.5 + b / 2),
        lambda rng, d: max(0, round(rng.gauss(40 if after(d) else 15, 18))),
    )
    # 4. Steady: a cramp every third day, less spread than chance would give (underdispersed),
    # so the negative binomial's theta runs off to infinity and the models fall back to Poisson.
    diary("steady", 4, lambda d, s, b: 30.0 if d.toordinal() % 3 == 0 else 0.0, some_sun, report_share=0.95)


if __name__ == "__main__":
    main()
