"""Realistic demo data: about six months of one patient's diary around a vitamin D start.

Made through the same sync service the phone uses, so every demo row passed the same
validation as a real one. Deterministic (seeded) so screenshots and tests are stable.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.models import User
from diary.serializers import parse_sync_items
from diary.services import sync_batch

DEMO_DAYS = 182
VITAMIN_D_START_DAYS_AGO = 84  # twelve weeks ago: eight weeks of loading, then maintenance
SEED = 20261125


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; the means here are below 1, so it is exact and quick.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _item(kind: str, payload: dict) -> dict:
    return {
        "kind": kind,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo/{kind}/{sorted(payload.items())}")),
        "payload": payload,
    }


def demo_items(patient: User, today: date) -> list[dict]:
    rng = random.Random(SEED)
    zone = ZoneInfo(patient.time_zone)
    start = today - timedelta(days=VITAMIN_D_START_DAYS_AGO)
    loading_end = start + timedelta(weeks=8, days=-1)
    items: list[dict] = []

    loading = _item(
        "regimen",
        {
            "supplement": "vitamin_d3",
            "amount": "50000",
            "unit": "IU",
            "frequency": "weekly",
            "weekdays": [start.isoweekday()],
            "start_date": start.isoformat(),
            "end_date": loading_end.isoformat(),
            "phase": "loading",
            "notes": "Prescribed after a 25(OH)D of 13 ng/mL.",
        },
    )
    maintenance_start = loading_end + timedelta(days=1)
    maintenance = _item(
        "regimen",
        {
            "supplement": "vitamin_d3",
            "amount": "1000",
            "unit": "IU",
            "frequency": "daily",
            "start_date": maintenance_start.isoformat(),
            "phase": "maintenance",
        },
    )
    magnesium = _item(
        "regimen",
        {
            "supplement": "magnesium",
            "amount": "300",
            "unit": "mg",
            "frequency": "daily",
            "start_date": (start + timedelta(days=21)).isoformat(),
            "phase": "maintenance",
            "notes": "Magnesium glycinate at night.",
        },
    )
    items += [loading, maintenance, magnesium]

    def at(day: date, hour: int, minute: int) -> str:
        return datetime.combine(day, time(hour, minute), tzinfo=zone).isoformat()

    # A night cramp after midnight belongs to the next date: "no cramps" is decided once
    # every episode's date is known, so no date says both (DOMAIN.md).
    episode_days: set[date] = set()
    checkins: list[dict] = []

    for offset in range(DEMO_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        days_since_start = (day - start).days
        # Cramps fall after the loading lag: about 3.5 a week before, about 1 a week after.
        if days_since_start < 0:
            mean = 0.5
        elif days_since_start < 21:
            mean = 0.45 - 0.012 * days_since_start
        else:
            mean = 0.15
        count = _poisson(rng, mean)
        for _ in range(count):
            night = rng.random() < 0.7
            hour = rng.choice([23, 0, 1, 2, 3, 4]) if night else rng.choice([7, 11, 15, 18, 20])
            when_day = day + timedelta(days=1) if night and hour < 12 else day
            episode_days.add(when_day)
            items.append(_item("episode", {
                "occurred_at": at(when_day, hour, rng.randrange(60)),
                "muscle_group": rng.choices(["calf", "thigh", "foot", "hand", "back"], [60, 15, 15, 5, 5])[0],
                "side": rng.choice(["left", "right", "both"]),
                "severity": max(1, min(10, round(rng.gauss(6.5 if days_since_start < 0 else 4.5, 1.5)))),
                "duration_seconds": rng.choice([30, 45, 60, 90, 120, 180, 300]),
                "during_sleep": night, "woke_patient": night and rng.random() < 0.8,
                "trigger": "night" if night else rng.choice(["exercise", "rest", "dehydration", "unknown"]),
            }))  # fmt: skip
        if rng.random() < 0.85:  # some days nothing at all is logged: missing, not zero
            tired = 6 if days_since_start < 0 else 3
            checkins.append({
                "local_date": day.isoformat(),
                "weakness": max(0, min(10, round(rng.gauss(tired - 1, 1.2)))), "fatigue": max(0, min(10, round(rng.gauss(tired, 1.5)))),
                "bone_pain": max(0, min(10, round(rng.gauss(tired - 2, 1)))), "twitching": max(0, min(10, round(rng.gauss(tired - 2, 1.5)))),
            })  # fmt: skip
        if rng.random() < 0.45:
            summer = 6 <= day.month <= 8
            items.append(_item("sun", {
                "started_at": at(day, rng.choice([9, 12, 13, 16]), 0), "minutes": rng.choice([10, 15, 20, 30, 45, 60]),
                "skin_exposed": ["face_hands", "arms"] if summer else ["face_hands"], "sunscreen": summer and rng.random() < 0.5,
                "uv_index": str(round(rng.uniform(4, 8) if summer else rng.uniform(0.5, 3), 1)),
            }))  # fmt: skip
        if start <= day <= loading_end and day.isoweekday() == start.isoweekday():
            items.append(
                _item(
                    "dose",
                    {
                        "taken_at": at(day, 9, 5),
                        "supplement": "vitamin_d3",
                        "amount": "50000",
                        "unit": "IU",
                        "regimen_id": loading["id"],
                    },
                )
            )
        if day >= maintenance_start and rng.random() < 0.88:
            items.append(
                _item(
                    "dose",
                    {
                        "taken_at": at(day, 8, rng.randrange(30)),
                        "supplement": "vitamin_d3",
                        "amount": "25",
                        "unit": "ug",
                        "regimen_id": maintenance["id"],
                    },
                )
            )
        if day >= start + timedelta(days=21) and rng.random() < 0.8:
            items.append(
                _item(
                    "dose",
                    {
                        "taken_at": at(day, 21, 30),
                        "supplement": "magnesium",
                        "amount": "300",
                        "unit": "mg",
                        "regimen_id": magnesium["id"],
                    },
                )
            )

    for checkin in checkins:
        checkin["no_cramps"] = date.fromisoformat(checkin["local_date"]) not in episode_days
        items.append(_item("checkin", checkin))

    before_lab = start - timedelta(days=5)
    after_lab = start + timedelta(weeks=8, days=3)
    for collected, d25, calcium, pth, phosphate, mg in [
        (before_lab, "13", "8.6", "92", "2.4", "1.7"),
        (after_lab, "34", "9.4", "48", "3.3", "2.0"),
    ]:
        day = collected.isoformat()
        items += [
            _item("lab", {"analyte": "vitamin_d_25oh", "value": d25, "unit": "ng/mL", "collected_on": day}),
            _item("lab", {"analyte": "calcium", "value": calcium, "unit": "mg/dL", "collected_on": day}),
            _item("lab", {"analyte": "pth", "value": pth, "unit": "pg/mL", "collected_on": day}),
            _item("lab", {"analyte": "phosphate", "value": phosphate, "unit": "mg/dL", "collected_on": day}),
            _item("lab", {"analyte": "magnesium", "value": mg, "unit": "mg/dL", "collected_on": day}),
        ]
    return items


def seed_diary(patient: User, today: date) -> dict[str, int]:
    return seed_items(patient, demo_items(patient, today))


def seed_items(patient: User, items: list[dict]) -> dict[str, int]:
    """Store demo items through the phone's own path: parse, then the sync batch."""
    summary = {"created": 0, "unchanged": 0, "conflict": 0, "invalid": 0}
    for begin in range(0, len(items), 500):
        parsed, refused = parse_sync_items(items[begin : begin + 500])
        for result in refused + sync_batch(patient=patient, items=parsed):
            summary[result.status] += 1
            if result.status == "invalid":
                raise ValueError(f"Demo item {begin + result.index} is invalid: {result.errors}")
    return summary


def seed_reminders(patient: User, now: datetime) -> list:
    """The demo patient's reminders: vitamin D at 08:00, and magnesium a few minutes from
    now, so a newcomer running `make run` sees a reminder go out (email on the console,
    push once the browser subscribed) without waiting for the morning."""
    from diary.models import SupplementRegimen
    from diary.reminders.services import reminder_create

    local_now = now.astimezone(ZoneInfo(patient.time_zone))
    soon = (local_now + timedelta(minutes=3)).time().replace(second=0, microsecond=0)
    reminders = []
    for regimen in SupplementRegimen.objects.filter(patient=patient, end_date__isnull=True).order_by("supplement"):
        data = {"regimen_id": regimen.id, "channel": "both"}
        if regimen.supplement == "magnesium":
            data["local_time"] = soon
        reminders.append(reminder_create(patient=patient, data=data, now=now))
    return reminders
