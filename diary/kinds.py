"""The six kinds of diary row, described once: the model, the names used in URLs and sync
batches, and how each row's local date is found. Services, selectors, views and sync all
read this registry; the API's input and output shapes for each kind are in
`diary.serializers` (INPUTS, OUTPUTS), so the registry itself needs no DRF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from diary.models import (
    DailyCheckin,
    DiaryEntry,
    DoseSkip,
    LabResult,
    SpasmEpisode,
    SunExposure,
    SupplementDose,
    SupplementRegimen,
)


@dataclass(frozen=True)
class Kind:
    name: str  # as used in sync batches and access-log events
    plural: str  # URL segment
    model: type[DiaryEntry]
    # The local date comes from an instant in the patient's zone, or is given directly.
    instant_field: str | None
    date_field: str | None
    ordering: tuple[str, ...]


EPISODE = Kind(
    "episode",
    "episodes",
    SpasmEpisode,
    "occurred_at",
    None,
    ("-occurred_at", "-created_at"),
)
CHECKIN = Kind(
    "checkin",
    "checkins",
    DailyCheckin,
    None,
    "local_date",
    ("-local_date", "-created_at"),
)
SUN = Kind("sun", "sun", SunExposure, "started_at", None, ("-started_at", "-created_at"))
REGIMEN = Kind(
    "regimen",
    "regimens",
    SupplementRegimen,
    None,
    "start_date",
    ("-start_date", "-created_at"),
)
DOSE = Kind("dose", "doses", SupplementDose, "taken_at", None, ("-taken_at", "-created_at"))
LAB = Kind("lab", "labs", LabResult, None, "collected_on", ("-collected_on", "-created_at"))

SKIP = Kind("skip", "skips", DoseSkip, None, "local_date", ("-local_date", "-created_at"))

# Regimens first: a sync batch may hold a regimen and doses or skips that point at it.
# Episodes before check-ins: a batch's "no cramps" is weighed against the batch's cramps.
KINDS: dict[str, Kind] = {kind.name: kind for kind in (REGIMEN, EPISODE, CHECKIN, SUN, DOSE, LAB, SKIP)}


# Night: 22:00 to 05:59 local, or logged as during sleep (nocturnal leg cramps).
NIGHT_FROM_HOUR, NIGHT_TO_HOUR = 22, 6


def is_night(occurred_at: datetime, zone_name: str, *, during_sleep: bool) -> bool:
    hour = occurred_at.astimezone(ZoneInfo(zone_name)).hour
    return during_sleep or hour >= NIGHT_FROM_HOUR or hour < NIGHT_TO_HOUR
