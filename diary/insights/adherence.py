"""Adherence, one definition (DOMAIN.md, "Adherence"): plain Python, no Django.

Per regimen, each scheduled slot (a local date the regimen asks for a dose) ends up:
- **taken**: a dose fills it. A dose fills the slot it falls in within a tolerance: the same
  local day for a daily (or chosen-weekdays) regimen, within 3 days either side for a weekly
  one. It may have been logged from a reminder, from "Today's doses" or by hand; a dose
  that names no regimen is matched by supplement and amount (within a factor of two of the
  prescribed dose: a 1,000 IU pill is not a 50,000 IU loading dose). One dose fills one slot, one slot takes
  one dose: a hand-logged dose and a reminder's "Taken" for the same slot count once.
- **skipped**: the patient said so ("Skip").
- **missed**: its tolerance has run out and neither happened.
- **due**: not yet decided (today's daily slot, a weekly slot still inside its 3 days). A
  due slot is in no denominator: a dose not taken *yet* is not a dose missed.

Every figure comes from `adherence()`'s slots: a regimen's rate is taken / (taken +
skipped + missed); the pooled vitamin D figure weighs each slot by its prescribed amount
(IU taken on time / IU prescribed), so missing a 50,000 IU loading dose matters more than
missing a 1,000 IU pill. Trend buckets, ISO weeks, the dashboard's 28 days and the
treatment response's after window are slices of the same slots by their date.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

DAILY, WEEKLY, WEEKDAYS = "daily", "weekly", "weekdays"
#: A weekly dose taken up to this many days before or after its day still fills it.
WEEKLY_TOLERANCE_DAYS = 3

TAKEN, SKIPPED, MISSED, DUE = "taken", "skipped", "missed", "due"
VITAMIN_D = frozenset({"vitamin_d3", "vitamin_d2"})


@dataclass(frozen=True)
class Plan:
    """A regimen as adherence sees it; `amount` is per dose, in the canonical unit."""

    id: uuid.UUID
    patient_id: uuid.UUID
    supplement: str
    frequency: str
    weekdays: tuple[int, ...]
    start: date
    end: date | None  # last day, inclusive; None: ongoing
    amount: float

    @property
    def tolerance_days(self) -> int:
        return WEEKLY_TOLERANCE_DAYS if self.frequency == WEEKLY else 0

    @classmethod
    def of(cls, regimen) -> Plan:
        """From a SupplementRegimen (read by attribute: this module imports no models)."""
        return cls(
            id=regimen.id,
            patient_id=regimen.patient_id,
            supplement=regimen.supplement,
            frequency=regimen.frequency,
            weekdays=tuple(regimen.weekdays),
            start=regimen.start_date,
            end=regimen.end_date,
            amount=regimen.amount_normalised,
        )


@dataclass(frozen=True)
class DoseLog:
    id: uuid.UUID
    patient_id: uuid.UUID
    supplement: str
    day: date  # the patient's local date of the dose
    amount: float
    regimen_id: uuid.UUID | None


@dataclass(frozen=True)
class SkipLog:
    regimen_id: uuid.UUID
    day: date  # the slot's date


@dataclass(frozen=True)
class Slot:
    plan: Plan
    day: date
    status: str
    dose_id: uuid.UUID | None = None

    @property
    def counted(self) -> bool:
        return self.status != DUE


def slot_days(plan: Plan, first: date, last: date) -> list[date]:
    """The dates in [first, last] on which the regimen asks for a dose."""
    begin = max(plan.start, first)
    end = min(plan.end, last) if plan.end else last
    days: list[date] = []
    if end < begin:
        return days
    # Weekly without a weekday rings on the start date's weekday.
    weekdays = None if plan.frequency == DAILY else (set(plan.weekdays) or {plan.start.isoweekday()})
    day = begin
    while day <= end:
        if weekdays is None or day.isoweekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def dose_window(first: date, last: date) -> tuple[date, date]:
    """The dose dates that can fill a slot in [first, last]: what a caller must load."""
    return first - timedelta(days=WEEKLY_TOLERANCE_DAYS), last + timedelta(days=WEEKLY_TOLERANCE_DAYS)


def adherence(
    plans: Iterable[Plan],
    doses: Iterable[DoseLog],
    skips: Iterable[SkipLog] = (),
    *,
    first: date,
    last: date,
    today: date,
) -> Adherence:
    """Every slot in [first, last] of every plan, each marked taken, skipped, missed or due."""
    plans = sorted(plans, key=lambda p: (str(p.patient_id), p.start, str(p.id)))
    skipped = {(s.regimen_id, s.day) for s in skips}
    open_slots: dict[uuid.UUID, dict[date, uuid.UUID | None]] = {
        plan.id: dict.fromkeys(slot_days(plan, first, last)) for plan in plans
    }
    by_id = {plan.id: plan for plan in plans}
    tagged: list[DoseLog] = []
    untagged: list[DoseLog] = []
    for dose in sorted(doses, key=lambda d: (d.day, str(d.id))):
        if dose.regimen_id is not None and dose.regimen_id in by_id:
            tagged.append(dose)
        elif dose.regimen_id is None:
            untagged.append(dose)
        # A dose naming a regimen outside these plans belongs to that regimen only.

    def fill(dose: DoseLog, candidates: Iterable[Plan]) -> None:
        best: tuple | None = None
        for plan in candidates:
            if dose.regimen_id is None and not _plausible(dose.amount, plan.amount):
                continue
            slots = open_slots[plan.id]
            for offset in range(plan.tolerance_days + 1):
                for day in {dose.day - timedelta(days=offset), dose.day + timedelta(days=offset)}:
                    if day in slots and slots[day] is None and (plan.id, day) not in skipped:
                        # Closest day first, then the plan whose amount is nearest the dose's.
                        rank = (offset, abs(plan.amount - dose.amount), day, str(plan.id))
                        if best is None or rank < best[0]:
                            best = (rank, plan.id, day)
        if best is not None:
            open_slots[best[1]][best[2]] = dose.id

    for dose in tagged:
        fill(dose, [by_id[dose.regimen_id]])
    same_supplement: dict[tuple[uuid.UUID, str], list[Plan]] = defaultdict(list)
    for plan in plans:
        same_supplement[(plan.patient_id, plan.supplement)].append(plan)
    for dose in untagged:
        fill(dose, same_supplement.get((dose.patient_id, dose.supplement), ()))

    slots: list[Slot] = []
    for plan in plans:
        for day, dose_id in open_slots[plan.id].items():
            if dose_id is not None:
                status = TAKEN
            elif (plan.id, day) in skipped:
                status = SKIPPED
            elif day + timedelta(days=plan.tolerance_days) >= today:
                status = DUE
            else:
                status = MISSED
            slots.append(Slot(plan, day, status, dose_id))
    return Adherence(slots)


def _plausible(given: float, prescribed: float) -> bool:
    """An untagged dose counts for a regimen only if it is about the prescribed amount."""
    return prescribed <= 0 or prescribed / 2 <= given <= prescribed * 2


@dataclass(frozen=True)
class Tally:
    """Counts over some slots; `ratio` is None when nothing was due (no denominator)."""

    taken: int = 0
    skipped: int = 0
    missed: int = 0
    due: int = 0
    amount_taken: float = 0.0
    amount_scheduled: float = 0.0

    @property
    def scheduled(self) -> int:
        """Slots that are decided: taken, skipped or missed."""
        return self.taken + self.skipped + self.missed

    @property
    def ratio(self) -> float | None:
        return None if self.scheduled == 0 else self.taken / self.scheduled

    @property
    def weighted_ratio(self) -> float | None:
        """Prescribed amount taken on time / prescribed amount (IU for vitamin D)."""
        return None if self.amount_scheduled == 0 else self.amount_taken / self.amount_scheduled


def tally(slots: Iterable[Slot]) -> Tally:
    counts = {TAKEN: 0, SKIPPED: 0, MISSED: 0, DUE: 0}
    amount_taken = amount_scheduled = 0.0
    for slot in slots:
        counts[slot.status] += 1
        if slot.counted:
            amount_scheduled += slot.plan.amount
            if slot.status == TAKEN:
                amount_taken += slot.plan.amount
    return Tally(counts[TAKEN], counts[SKIPPED], counts[MISSED], counts[DUE], amount_taken, amount_scheduled)


@dataclass(frozen=True)
class Adherence:
    slots: Sequence[Slot] = field(default_factory=list)

    def where(self, keep: Callable[[Slot], bool]) -> Adherence:
        return Adherence([slot for slot in self.slots if keep(slot)])

    def between(self, first: date, last: date) -> Adherence:
        return self.where(lambda slot: first <= slot.day <= last)

    def for_plan(self, plan_id: uuid.UUID) -> Adherence:
        return self.where(lambda slot: slot.plan.id == plan_id)

    def for_patient(self, patient_id: uuid.UUID) -> Adherence:
        return self.where(lambda slot: slot.plan.patient_id == patient_id)

    def vitamin_d(self) -> Adherence:
        return self.where(lambda slot: slot.plan.supplement in VITAMIN_D)

    def of_supplements(self, supplements: Collection[str]) -> Adherence:
        return self.where(lambda slot: slot.plan.supplement in supplements)

    @property
    def tally(self) -> Tally:
        return tally(self.slots)

    @property
    def pooled_vitamin_d(self) -> float | None:
        """The one pooled figure: vitamin D slots weighed by their prescribed IU."""
        return self.vitamin_d().tally.weighted_ratio

    def plans(self) -> list[Plan]:
        seen: dict[uuid.UUID, Plan] = {}
        for slot in self.slots:
            seen.setdefault(slot.plan.id, slot.plan)
        return list(seen.values())
