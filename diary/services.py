"""Writes for diary rows: idempotent create, update, delete, and the offline sync batch.

Services take typed values (parsed by the API's serializers, or built by another service
such as a reminder's "Taken") and raise `config.api.exceptions`; the domain's rules live
here, once: the units a supplement takes, the largest accepted dose, what a living person's
serum can hold, one check-in a day.

Idempotency by construction: the client picks the UUID primary key, so a retried POST
finds its own row. A POST whose id exists answers the stored row when the content is the
same and a conflict when it differs; an id held by another patient is refused without
revealing or touching that row.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from config.api.exceptions import Conflict, ValidationFailed
from diary import units
from diary.dashboard.services import summary_mark_stale
from diary.kinds import ACTIVITY_KINDS, CHECKIN, DOSE, EPISODE, KINDS, LAB, REGIMEN, Kind, is_night
from diary.models import DiaryEntry, ObservedDay, SupplementRegimen
from diary.regimen_templates import REGIMEN_TEMPLATES

SYNC_MAX_ITEMS = 500

# Input fields that are not content: two sends of the same entry may differ in these.
_NOT_CONTENT = {"id", "recorded_at"}


class IdTaken(Conflict):
    code = "id_taken"
    message = "This id is already used. Generate a new UUID for this entry."


class CheckinExists(Conflict):
    code = "checkin_exists"


@dataclass
class Outcome:
    status: str  # created | updated | unchanged
    instance: DiaryEntry
    warnings: list[dict[str, str]] = field(default_factory=list)


# --- the domain's rules ---------------------------------------------------------------------
def check_rules(kind: Kind, values: Mapping[str, Any]) -> None:
    """Rules on one row's values that a serializer cannot know: units per supplement or test,
    the largest accepted dose, the physical range of a lab value."""
    if kind in (REGIMEN, DOSE):
        supplement, amount, unit = values["supplement"], values["amount"], values["unit"]
        if amount <= 0:
            raise ValidationFailed.field("amount", "The amount must be more than 0.", "min_value")
        try:
            normalised = units.normalise_dose(supplement, amount, unit)
        except ValueError as exc:
            raise ValidationFailed.field("unit", str(exc), "invalid_unit") from None
        limit = units.DOSE_REFUSE_ABOVE.get(supplement)
        if limit is not None and normalised > limit:
            canonical = units.dose_canonical_unit(supplement, unit)
            raise ValidationFailed.field(
                "amount",
                f"{normalised:,.0f} {canonical} is above the largest accepted dose ({limit:,.0f} {canonical}). "
                "Check for an extra zero.",
                "max_value",
            )
    if kind is LAB:
        try:
            normalised = units.normalise_lab(values["analyte"], values["value"], values["unit"])
        except ValueError as exc:
            raise ValidationFailed.field("unit", str(exc), "invalid_unit") from None
        message = units.lab_range_error(values["analyte"], normalised)
        if message:
            raise ValidationFailed.field("value", message, "out_of_range")


# --- derived values -----------------------------------------------------------------------
def _local_date(kind: Kind, values: Mapping[str, Any], zone_name: str) -> date:
    if kind.instant_field:
        instant: datetime = values[kind.instant_field]
        return instant.astimezone(ZoneInfo(zone_name)).date()
    return values[kind.date_field]


def _derive(kind: Kind, values: dict[str, Any], regimen: SupplementRegimen | None) -> list[dict[str, str]]:
    """Fill computed columns in place; return advice for the patient."""
    warnings: list[dict[str, str]] = []
    if kind in (REGIMEN, DOSE):
        supplement, unit = values["supplement"], values["unit"]
        values["amount_normalised"] = units.normalise_dose(supplement, values["amount"], unit)
        values["normalised_unit"] = units.dose_canonical_unit(supplement, unit)
        if supplement in units.VITAMIN_D_SUPPLEMENTS:
            per_day = _daily_equivalent(kind, values, regimen)
            if per_day > units.VITAMIN_D_WARN_ABOVE_IU_PER_DAY:
                warnings.append(
                    {
                        "code": "high_vitamin_d_dose",
                        "message": (
                            f"This is about {per_day:,.0f} IU a day, above 10,000 IU a day. That is expected for a "
                            "prescribed weekly or monthly loading dose; otherwise check it with your clinician."
                        ),
                    }
                )
    if kind is LAB:
        analyte = values["analyte"]
        values["value_normalised"] = units.normalise_lab(analyte, values["value"], values["unit"])
        values["normalised_unit"] = units.LAB_ANALYTES[analyte].canonical_unit
        values["category"] = (
            units.vitamin_d_category(values["value_normalised"]) if analyte == units.VITAMIN_D_25OH else ""
        )
        if values["category"] == units.CATEGORY_HIGH:
            warnings.append(
                {
                    "code": "high_vitamin_d_level",
                    "message": "This 25(OH)D level is above 100 ng/mL: show it to your clinician and check your dose.",
                }
            )
    return warnings


def _daily_equivalent(kind: Kind, values: Mapping[str, Any], regimen: SupplementRegimen | None) -> float:
    if kind is REGIMEN:
        return units.daily_equivalent(values["amount_normalised"], values["frequency"], values["weekdays"])
    if regimen is not None:
        return units.daily_equivalent(values["amount_normalised"], regimen.frequency, regimen.weekdays)
    return values["amount_normalised"]


def _same_content(instance: DiaryEntry, values: Mapping[str, Any], sent: Collection[str]) -> bool:
    for name in {_model_name(n) for n in set(sent) - _NOT_CONTENT}:
        stored = getattr(instance, name)
        given = values[name]
        if isinstance(stored, Decimal) or isinstance(given, Decimal):
            if stored is None or given is None:
                if stored is not given:
                    return False
            elif Decimal(stored) != Decimal(given):
                return False
        elif stored != given:
            return False
    return True


def _model_name(field_name: str) -> str:
    return "regimen" if field_name == "regimen_id" else field_name


def _regimen_for(patient: User, regimen_id: uuid.UUID | None, known: dict[uuid.UUID, SupplementRegimen] | None = None):
    if regimen_id is None:
        return None
    if known is not None:
        regimen = known.get(regimen_id)
    else:
        regimen = SupplementRegimen.objects.filter(patient=patient, id=regimen_id).first()
    if regimen is None:
        raise ValidationFailed.field("regimen_id", "No regimen with this id in your diary.", "does_not_exist")
    return regimen


def build_values(
    kind: Kind,
    patient: User,
    given: Mapping[str, Any],
    *,
    zone_name: str,
    regimens: dict[uuid.UUID, SupplementRegimen] | None = None,
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Model field values for a row's typed values, with derived columns, and warnings."""
    check_rules(kind, given)
    values = {name: value for name, value in given.items() if name != "id"}
    values.setdefault("recorded_at", timezone.now())
    regimen = None
    if kind is DOSE:
        regimen = _regimen_for(patient, values.pop("regimen_id", None), regimens)
        values["regimen"] = regimen
        if regimen is not None and regimen.supplement != values["supplement"]:
            raise ValidationFailed.field(
                "regimen_id", f"This regimen is for {regimen.supplement}, not {values['supplement']}."
            )
    warnings = _derive(kind, values, regimen)
    values["local_date"] = _local_date(kind, values, zone_name)
    values["time_zone"] = zone_name
    if kind is EPISODE:
        values["night"] = is_night(values["occurred_at"], zone_name, during_sleep=values.get("during_sleep", False))
    return values, warnings


# --- single-row writes --------------------------------------------------------------------
def entry_create(
    *,
    kind: Kind,
    patient: User,
    values: Mapping[str, Any],
    entry_id: uuid.UUID | None = None,
    sent: Collection[str] | None = None,
) -> Outcome:
    """Create, or recognise a retry of, one diary row.

    `sent` names the fields the client gave: a retry is the same entry when those agree
    (fields it left to their defaults are not compared). Default: every field in `values`.
    """
    entry_id = entry_id or uuid.uuid4()
    sent = set(values) if sent is None else set(sent)
    existing = kind.model.objects.filter(id=entry_id).first()
    if existing is not None:
        return _existing_outcome(kind, patient, existing, values, sent)

    row, warnings = build_values(kind, patient, values, zone_name=patient.time_zone)
    _check_one_checkin_per_day(kind, patient, row["local_date"], entry_id)
    try:
        with transaction.atomic():
            instance = kind.model.objects.create(id=entry_id, patient=patient, **row)
    except IntegrityError:
        # Lost a race with the same id (a retry sent twice at once) or the same check-in day.
        existing = kind.model.objects.filter(id=entry_id).first()
        if existing is None:
            _check_one_checkin_per_day(kind, patient, row["local_date"], entry_id)
            raise
        return _existing_outcome(kind, patient, existing, values, sent)
    instance._warnings = warnings
    if kind.name in ACTIVITY_KINDS:
        observed_days_record(patient.id, [instance.local_date])
    summary_mark_stale(patient.id)
    return Outcome("created", instance, warnings)


def _existing_outcome(
    kind: Kind, patient: User, existing: DiaryEntry, values: Mapping[str, Any], sent: Collection[str]
) -> Outcome:
    if existing.patient_id != patient.id:
        raise IdTaken()
    row, _ = build_values(kind, patient, values, zone_name=existing.time_zone)
    if _same_content(existing, row, sent):
        return Outcome("unchanged", existing)
    raise Conflict(current=existing)


def _check_one_checkin_per_day(kind: Kind, patient: User, local_date: date, entry_id: uuid.UUID) -> None:
    if kind is not CHECKIN:
        return
    other = CHECKIN.model.objects.filter(patient=patient, local_date=local_date).exclude(id=entry_id).first()
    if other is not None:
        raise CheckinExists(
            f"There is already a check-in for {local_date.isoformat()}. Update that one instead.", current=other
        )


def entry_put(
    *, kind: Kind, patient: User, entry_id: uuid.UUID, values: Mapping[str, Any], sent: Collection[str] | None = None
) -> Outcome:
    """PUT: replace the row, or create it under this id when it is new."""
    existing = kind.model.objects.filter(id=entry_id).first()
    if existing is None:
        return entry_create(kind=kind, patient=patient, values=values, entry_id=entry_id, sent=sent)
    if existing.patient_id != patient.id:
        raise IdTaken()
    return entry_update(kind=kind, patient=patient, instance=existing, values=values)


def entry_update(*, kind: Kind, patient: User, instance: DiaryEntry, values: Mapping[str, Any]) -> Outcome:
    """Replace a row's content with `values` (a whole row: PATCH merges before calling)."""
    # The row keeps the zone it was logged in: moving house does not move old entries.
    row, warnings = build_values(kind, patient, values, zone_name=instance.time_zone)
    if "recorded_at" not in values:
        row.pop("recorded_at")
    _check_one_checkin_per_day(kind, patient, row["local_date"], instance.id)
    old_date = instance.local_date
    for name, value in row.items():
        setattr(instance, name, value)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        _check_one_checkin_per_day(kind, patient, row["local_date"], instance.id)
        raise
    if kind.name in ACTIVITY_KINDS and old_date != instance.local_date:
        observed_days_record(patient.id, [instance.local_date])
        observed_days_prune(patient.id, [old_date])
    instance._warnings = warnings
    summary_mark_stale(patient.id)
    return Outcome("updated", instance, warnings)


def entry_delete(*, instance: DiaryEntry) -> None:
    patient_id, day, counts = instance.patient_id, instance.local_date, type(instance) in _activity_models()
    instance.delete()
    if counts:
        observed_days_prune(patient_id, [day])
    summary_mark_stale(patient_id)


# --- observed days ------------------------------------------------------------------------
def _activity_models() -> tuple[type[DiaryEntry], ...]:
    return tuple(KINDS[name].model for name in ACTIVITY_KINDS)


def observed_days_record(patient_id: uuid.UUID, days: list[date]) -> None:
    ObservedDay.objects.bulk_create(
        [ObservedDay(patient_id=patient_id, local_date=day) for day in set(days)], ignore_conflicts=True
    )


def observed_days_prune(patient_id: uuid.UUID, days: list[date]) -> None:
    """Forget days that no longer hold any activity (after a delete or a moved entry)."""
    for day in set(days):
        if not any(
            model.objects.filter(patient_id=patient_id, local_date=day).exists() for model in _activity_models()
        ):
            ObservedDay.objects.filter(patient_id=patient_id, local_date=day).delete()


# --- offline sync batch -------------------------------------------------------------------
@dataclass(frozen=True)
class SyncItem:
    """One parsed item of an offline batch."""

    index: int
    kind: Kind
    id: uuid.UUID
    values: Mapping[str, Any]
    sent: frozenset[str]


@dataclass
class SyncItemResult:
    index: int
    kind: str | None
    id: str | None
    status: str  # created | unchanged | conflict | invalid
    errors: dict[str, list[str]] = field(default_factory=dict)
    code: str | None = None
    instance: DiaryEntry | None = None  # the stored row: created, unchanged, or the conflicting one of yours
    warnings: list[dict[str, str]] = field(default_factory=list)


def sync_batch(*, patient: User, items: Sequence[SyncItem]) -> list[SyncItemResult]:
    """Store every valid item of an offline batch; report each item's fate, in index order.

    The number of queries does not grow with the batch: existing ids are fetched with one
    query per kind, new rows are inserted with one bulk insert per kind. Valid items are
    stored even when others in the batch fail.
    """
    results: dict[int, SyncItemResult] = {}
    pending: dict[str, list[SyncItem]] = {name: [] for name in KINDS}
    for item in items:
        pending[item.kind.name].append(item)

    # One id may appear twice in a batch (a retried item): the first wins, later copies compare to it.
    queued: dict[tuple[str, uuid.UUID], DiaryEntry] = {}
    now = timezone.now()
    regimens = _regimens_for_batch(patient, pending["dose"])

    with transaction.atomic():
        for kind_name, entries in pending.items():
            kind = KINDS[kind_name]
            if not entries:
                continue
            existing = {row.id: row for row in kind.model.objects.filter(id__in=[item.id for item in entries])}
            checkin_days: dict[date, DiaryEntry] = {}
            if kind is CHECKIN:
                days = {item.values["local_date"] for item in entries}
                checkin_days = {
                    row.local_date: row for row in kind.model.objects.filter(patient=patient, local_date__in=days)
                }
            to_create = []
            for item in entries:
                try:
                    values, warnings = build_values(
                        kind, patient, item.values, zone_name=patient.time_zone, regimens=regimens
                    )
                except ValidationFailed as exc:
                    results[item.index] = SyncItemResult(
                        item.index, kind_name, str(item.id), "invalid", exc.fields, "invalid"
                    )
                    continue
                row = existing.get(item.id) or queued.get((kind_name, item.id))
                if row is not None:
                    results[item.index] = _sync_existing(item, row, values, patient)
                    continue
                if kind is CHECKIN:
                    other = checkin_days.get(values["local_date"])
                    if other is not None:
                        results[item.index] = SyncItemResult(
                            item.index, kind_name, str(item.id), "conflict", {}, "checkin_exists", other
                        )
                        continue
                instance = kind.model(id=item.id, patient=patient, created_at=now, updated_at=now, **values)
                instance._warnings = warnings
                if kind is CHECKIN:
                    checkin_days[values["local_date"]] = instance
                if kind is REGIMEN:
                    regimens[item.id] = instance
                queued[(kind_name, item.id)] = instance
                to_create.append((item, instance))
            _bulk_insert(kind, patient, to_create, results)
        created = [r for r in results.values() if r.status == "created"]
        created_days = [r.instance.local_date for r in created if r.kind in ACTIVITY_KINDS]
        if created_days:
            observed_days_record(patient.id, created_days)
        if created:
            summary_mark_stale(patient.id)
    return [results[index] for index in sorted(results)]


def _sync_existing(item: SyncItem, row: DiaryEntry, values: Mapping[str, Any], patient: User) -> SyncItemResult:
    kind = item.kind.name
    if row.patient_id != patient.id:
        return SyncItemResult(item.index, kind, str(row.id), "conflict", {}, "id_taken")
    if _same_content(row, values, item.sent):
        return SyncItemResult(item.index, kind, str(row.id), "unchanged", instance=row)
    return SyncItemResult(item.index, kind, str(row.id), "conflict", {}, "conflict", row)


def _bulk_insert(kind: Kind, patient: User, to_create: list[tuple[SyncItem, DiaryEntry]], results: dict) -> None:
    if not to_create:
        return
    try:
        with transaction.atomic():
            kind.model.objects.bulk_create([instance for _, instance in to_create])
    except IntegrityError:
        # Another request stored one of these ids (or check-in days) between our read and
        # this insert: fall back to one savepoint per row for this kind only.
        _insert_one_by_one(kind, patient, to_create, results)
        return
    for item, instance in to_create:
        results[item.index] = _created(item, instance)


def _created(item: SyncItem, instance: DiaryEntry) -> SyncItemResult:
    return SyncItemResult(
        item.index, item.kind.name, str(instance.id), "created", instance=instance, warnings=instance.warnings
    )


def _regimens_for_batch(patient: User, doses: Sequence[SyncItem]) -> dict[uuid.UUID, SupplementRegimen]:
    wanted = {item.values.get("regimen_id") for item in doses} - {None}
    if not wanted:
        return {}
    return {row.id: row for row in SupplementRegimen.objects.filter(patient=patient, id__in=wanted)}


def _insert_one_by_one(kind: Kind, patient: User, to_create: list[tuple[SyncItem, DiaryEntry]], results: dict) -> None:
    for item, instance in to_create:
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
        except IntegrityError:
            row = kind.model.objects.filter(id=instance.id).first()
            if row is None:  # the check-in day was taken
                results[item.index] = SyncItemResult(
                    item.index, kind.name, str(instance.id), "conflict", {}, "checkin_exists"
                )
                continue
            values = {_model_name(n): getattr(instance, _model_name(n)) for n in item.sent - _NOT_CONTENT}
            results[item.index] = _sync_existing(item, row, values, patient)
            continue
        results[item.index] = _created(item, instance)


# --- regimens from a template ------------------------------------------------------------
def regimen_from_template(
    *, patient: User, template_key: str, start_date: date, weekday: int | None = None, entry_id: uuid.UUID | None = None
) -> Outcome:
    """A regimen from a ready-made protocol, as an ordinary idempotent create."""
    template = REGIMEN_TEMPLATES[template_key]
    values: dict[str, Any] = {
        "supplement": template.supplement,
        "amount": Decimal(template.amount),
        "unit": template.unit,
        "frequency": template.frequency,
        "phase": template.phase,
        "start_date": start_date,
        "end_date": None,
        "weekdays": [weekday or start_date.isoweekday()] if template.frequency == "weekly" else [],
        "notes": template.note,
    }
    if template.duration_weeks:
        values["end_date"] = start_date + timedelta(weeks=template.duration_weeks, days=-1)
    return entry_create(kind=REGIMEN, patient=patient, values=values, entry_id=entry_id)
