"""The demo clinic: a dozen patients linked to the demo clinician, whose diaries tell the
stories a clinician meets, so the dashboard's flags, sorting and verdicts have something to
show: clear improvement, no change, already falling before the start, magnesium started in
the window, too early to tell, a loading phase mostly missed, a high dose, a 25(OH)D above
100, a re-test due, a secondary hyperparathyroidism pattern, a patient who stopped logging.

Like the main demo patient (`diary.demo`), every row goes through the sync path a phone
uses, dated relative to the day of seeding, seeded for stable screenshots, and no date says
both "no cramps" and holds a cramp.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.models import User


@dataclass(frozen=True)
class Story:
    email: str
    name: str
    born: str
    zone: str
    about: str  # what the diary shows, for the README and the seed output
    days: int = 140  # how far back the diary goes
    start_days_ago: int | None = 70  # the vitamin D loading start; None: no regimen
    before_per_day: float = 0.5  # cramps a day before the start
    after_per_day: float = 0.15  # a day once the loading lag is over
    falling_before: bool = False  # cramps already fall through the before window
    clustered: bool = False  # bad weeks: counts come in bursts
    report_share: float = 0.85  # days that say something about cramps
    stop_days_ago: int = 0  # nothing logged in the last N days
    loading_taken: float = 1.0  # share of loading doses taken
    daily_taken: float = 0.95  # share of maintenance doses taken
    magnesium_after_days: int | None = None  # magnesium started this long after vitamin D
    high_dose_days_ago: int | None = None  # a 200,000 IU dose logged by hand
    labs: tuple[tuple[int, str, str, str], ...] = ()  # (days ago, analyte, value, unit)
    maintenance: bool = True  # a maintenance regimen follows the 8-week loading course
    sun_after: float = 0.0  # extra sun minutes a day after the start (a sunny season)
    extra: dict = field(default_factory=dict)


STORIES = (
    Story("noah@demo.test", "Noah Williams", "1975-02-11", "Europe/London", "clear improvement", clustered=True,
          labs=((75, "vitamin_d_25oh", "12", "ng/mL"), (10, "vitamin_d_25oh", "38", "ng/mL"))),
    Story("olivia@demo.test", "Olivia Brown", "1982-07-30", "Europe/Dublin", "no change", after_per_day=0.48,
          labs=((72, "vitamin_d_25oh", "18", "ng/mL"),)),
    Story("priya@demo.test", "Priya Shah", "1969-11-03", "Europe/London", "already falling before the start",
          falling_before=True, before_per_day=0.9, after_per_day=0.12, labs=((71, "vitamin_d_25oh", "17", "ng/mL"),)),
    Story("lucas@demo.test", "Lucas Martin", "1958-04-22", "Europe/Paris", "magnesium started in the window",
          magnesium_after_days=25, labs=((73, "vitamin_d_25oh", "15", "ng/mL"),)),
    Story("ava@demo.test", "Ava Johnson", "1990-09-14", "America/New_York", "too early to tell",
          start_days_ago=8, days=70, labs=((10, "vitamin_d_25oh", "14", "ng/mL"),)),
    Story("ethan@demo.test", "Ethan Davies", "1961-01-19", "Europe/London", "low adherence on the loading phase",
          start_days_ago=30, days=100, loading_taken=0.25, after_per_day=0.45, maintenance=False,
          labs=((33, "vitamin_d_25oh", "11", "ng/mL"),)),
    Story("grace@demo.test", "Grace Lee", "1948-12-02", "Asia/Singapore", "a high dose",
          high_dose_days_ago=4, labs=((72, "vitamin_d_25oh", "16", "ng/mL"),)),
    Story("henry@demo.test", "Henry Clark", "1953-06-08", "Europe/London", "25(OH)D above 100",
          labs=((74, "vitamin_d_25oh", "14", "ng/mL"), (6, "vitamin_d_25oh", "112", "ng/mL"),
                (6, "calcium", "10.8", "mg/dL"))),
    Story("isla@demo.test", "Isla Robertson", "1979-03-27", "Europe/London", "re-test due",
          start_days_ago=100, days=170, maintenance=False, labs=((103, "vitamin_d_25oh", "13", "ng/mL"),)),
    Story("omar@demo.test", "Omar Haddad", "1971-10-10", "Asia/Dubai", "secondary hyperparathyroidism pattern",
          start_days_ago=20, days=90, labs=((22, "vitamin_d_25oh", "11", "ng/mL"), (22, "pth", "92", "pg/mL"),
                                             (22, "calcium", "8.4", "mg/dL"), (22, "phosphate", "2.4", "mg/dL"))),
    Story("zoe@demo.test", "Zoe Turner", "1986-05-05", "Australia/Sydney", "stopped logging", stop_days_ago=12,
          labs=((70, "vitamin_d_25oh", "19", "ng/mL"),)),
    Story("ben@demo.test", "Ben Carter", "1964-08-18", "America/Los_Angeles", "sunny season after the start",
          sun_after=45, after_per_day=0.2, labs=((71, "vitamin_d_25oh", "21", "ng/mL"),)),
)  # fmt: skip


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _item(kind: str, payload: dict, story: Story) -> dict:
    key = f"demo-clinic/{story.email}/{kind}/{sorted(payload.items())}"
    return {"kind": kind, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)), "payload": payload}


def story_items(story: Story, today: date) -> list[dict]:
    rng = random.Random(story.email)
    zone = ZoneInfo(story.zone)
    items: list[dict] = []

    def at(day: date, hour: int, minute: int = 0) -> str:
        return datetime.combine(day, time(hour, minute), tzinfo=zone).isoformat()

    start = today - timedelta(days=story.start_days_ago) if story.start_days_ago is not None else None
    loading = maintenance = magnesium = None
    if start is not None:
        loading_end = start + timedelta(weeks=8, days=-1)
        loading = _item("regimen", {
            "supplement": "vitamin_d3", "amount": "50000", "unit": "IU", "frequency": "weekly",
            "weekdays": [start.isoweekday()], "start_date": start.isoformat(), "end_date": loading_end.isoformat(),
            "phase": "loading",
        }, story)  # fmt: skip
        items.append(loading)
        if story.maintenance and loading_end < today:
            maintenance = _item("regimen", {
                "supplement": "vitamin_d3", "amount": "1000", "unit": "IU", "frequency": "daily",
                "start_date": (loading_end + timedelta(days=1)).isoformat(), "phase": "maintenance",
            }, story)  # fmt: skip
            items.append(maintenance)
        if story.magnesium_after_days is not None:
            magnesium = _item("regimen", {
                "supplement": "magnesium", "amount": "300", "unit": "mg", "frequency": "daily",
                "start_date": (start + timedelta(days=story.magnesium_after_days)).isoformat(), "phase": "maintenance",
            }, story)  # fmt: skip
            items.append(magnesium)

    episode_days: set[date] = set()
    statements: list[date] = []
    burst = 1.0
    for offset in range(story.days, 0, -1):
        day = today - timedelta(days=offset)
        if offset <= story.stop_days_ago:
            continue
        since = (day - start).days if start else -1
        if since < 0:
            mean = story.before_per_day
            if story.falling_before and start is not None:
                # From twice the level to the after level across the before window.
                share = 1 - (offset - story.start_days_ago) / max(1, story.days - story.start_days_ago)
                mean = story.before_per_day * (1.6 - 1.4 * share)
        elif since < 14:
            mean = story.before_per_day + (story.after_per_day - story.before_per_day) * since / 14
        else:
            mean = story.after_per_day
        if story.clustered and day.weekday() == 0:
            burst = rng.choice([0.3, 0.6, 1.0, 1.8, 2.6])  # bad and good weeks
        count = _poisson(rng, max(mean * (burst if story.clustered else 1.0), 0.0))
        if rng.random() < story.report_share or count:
            for _ in range(count):
                night = rng.random() < 0.6
                hour = rng.choice([23, 1, 2, 3]) if night else rng.choice([8, 13, 17, 20])
                when = day + timedelta(days=1) if night and hour < 12 else day
                if when >= today:
                    when, hour = day, 21
                episode_days.add(when)
                items.append(_item("episode", {
                    "occurred_at": at(when, hour, rng.randrange(60)),
                    "muscle_group": rng.choices(["calf", "thigh", "foot", "hand", "back"], [55, 20, 15, 5, 5])[0],
                    "side": rng.choice(["left", "right", "both"]), "severity": rng.randint(3, 8),
                    "duration_seconds": rng.choice([45, 60, 120, 180]), "during_sleep": night,
                    "woke_patient": night, "trigger": "night" if night else rng.choice(["exercise", "rest", "unknown"]),
                }, story))  # fmt: skip
            if count == 0:
                statements.append(day)
        sunny = story.sun_after if since >= 0 else 0
        if rng.random() < 0.4 or sunny:
            items.append(_item("sun", {
                "started_at": at(day, 12), "minutes": int(rng.choice([10, 20, 30]) + sunny),
                "skin_exposed": ["face_hands"], "sunscreen": False,
            }, story))  # fmt: skip
        if loading and since >= 0 and since < 56 and since % 7 == 0 and rng.random() < story.loading_taken:
            items.append(_dose(loading, at(day, 9), "50000"))
        if maintenance and since >= 56 and rng.random() < story.daily_taken:
            items.append(_dose(maintenance, at(day, 8), "1000"))
        if magnesium and since >= story.magnesium_after_days and rng.random() < 0.85:
            items.append(_dose(magnesium, at(day, 21), "300"))
    for day in statements:
        if day not in episode_days:
            items.append(_item("checkin", {
                "local_date": day.isoformat(), "no_cramps": True, "fatigue": rng.randint(1, 6),
                "weakness": rng.randint(0, 5),
            }, story))  # fmt: skip
    if story.high_dose_days_ago is not None:
        items.append(_item("dose", {
            "taken_at": at(today - timedelta(days=story.high_dose_days_ago), 10), "supplement": "vitamin_d3",
            "amount": "200000", "unit": "IU", "notes": "Took the whole bottle's worth by mistake?",
        }, story))  # fmt: skip
    for days_ago, analyte, value, unit in story.labs:
        items.append(_item("lab", {
            "analyte": analyte, "value": value, "unit": unit,
            "collected_on": (today - timedelta(days=days_ago)).isoformat(),
        }, story))  # fmt: skip
    return items


def _dose(regimen: dict, taken_at: str, amount: str) -> dict:
    payload = regimen["payload"]
    body = {"taken_at": taken_at, "supplement": payload["supplement"], "amount": amount, "unit": payload["unit"],
            "regimen_id": regimen["id"]}  # fmt: skip
    return {"kind": "dose", "id": str(uuid.uuid5(uuid.UUID(regimen["id"]), taken_at)), "payload": body}


def seed_story(patient: User, story: Story, today: date) -> dict[str, int]:
    from diary.demo import seed_items

    return seed_items(patient, story_items(story, today))
