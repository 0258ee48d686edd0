"""Ready-made regimens from the supplementation protocols in DOMAIN.md."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RegimenTemplate:
    key: str
    name: str
    supplement: str
    amount: int
    unit: str
    frequency: str
    phase: str
    duration_weeks: int | None  # None: long term
    note: str

    def as_dict(self) -> dict:
        return asdict(self)


REGIMEN_TEMPLATES: dict[str, RegimenTemplate] = {
    t.key: t
    for t in (
        RegimenTemplate(
            "loading_50000_weekly", "Loading: 50,000 IU once a week for 8 weeks", "vitamin_d3", 50_000, "IU", "weekly",
            "loading", 8, "Prescription high dose; about 7,143 IU a day. Recheck 25(OH)D after the course.",
        ),
        RegimenTemplate(
            "maintenance_800_daily", "Maintenance: 800 IU daily", "vitamin_d3", 800, "IU", "daily",
            "maintenance", None, "Lower end of the adult maintenance range.",
        ),
        RegimenTemplate(
            "maintenance_1000_daily", "Maintenance: 1,000 IU daily", "vitamin_d3", 1_000, "IU", "daily",
            "maintenance", None, "Common adult maintenance dose.",
        ),
        RegimenTemplate(
            "maintenance_2000_daily", "Maintenance: 2,000 IU daily", "vitamin_d3", 2_000, "IU", "daily",
            "maintenance", None, "Upper end of the adult maintenance range.",
        ),
    )
}  # fmt: skip
