"""A valid payload for each kind of diary row, for tests that run over all of them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone


def payload(kind: str, **overrides) -> dict:
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    base = {
        "episode": {
            "occurred_at": (now - timedelta(hours=3)).isoformat(),
            "muscle_group": "calf",
            "side": "left",
            "severity": 6,
            "duration_seconds": 90,
            "during_sleep": True,
            "trigger": "night",
        },
        "checkin": {
            "local_date": (today - timedelta(days=1)).isoformat(),
            "weakness": 3,
            "fatigue": 5,
            "bone_pain": 1,
            "twitching": 0,
            "no_cramps": False,
        },
        "sun": {
            "started_at": (now - timedelta(hours=5)).isoformat(),
            "minutes": 25,
            "skin_exposed": ["face_hands", "arms"],
            "sunscreen": False,
            "uv_index": "4.5",
        },
        "regimen": {
            "supplement": "vitamin_d3",
            "amount": "1000",
            "unit": "IU",
            "frequency": "daily",
            "start_date": (today - timedelta(days=30)).isoformat(),
            "phase": "maintenance",
        },
        "dose": {
            "taken_at": (now - timedelta(hours=1)).isoformat(),
            "supplement": "vitamin_d3",
            "amount": "25",
            "unit": "ug",
        },
        # A skip also needs the regimen_id of one of the patient's regimens (a daily one
        # asks for a dose every day, yesterday included).
        "skip": {"local_date": (today - timedelta(days=1)).isoformat(), "reason": "forgot"},
        "lab": {
            "analyte": "vitamin_d_25oh",
            "value": "45",
            "unit": "nmol/L",
            "collected_on": (today - timedelta(days=10)).isoformat(),
        },
    }[kind]
    return {"id": str(uuid.uuid4()), **base, **overrides}


KIND_PLURALS = {
    "episode": "episodes",
    "checkin": "checkins",
    "sun": "sun",
    "regimen": "regimens",
    "dose": "doses",
    "lab": "labs",
    "skip": "skips",
}
