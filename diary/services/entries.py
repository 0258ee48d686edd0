"""Writes for diary rows: idempotent create, update, delete, and the offline sync batch.

Idempotency by construction: the client picks the UUID primary key, so a retried POST
finds its own row. A POST whose id exists answers the stored row when the content is the
same and a conflict when it differs; an id held by another patient is refused without
revealing or touching that row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions, serializers

from accounts.models import User
from diary import stats, units
from diary.entries import ACTIVITY_KINDS, CHECKIN, DOSE, EPISODE, KINDS, LAB, REGIMEN, Kind, is_night
from diary.models import DiaryEntry, ObservedDay, SupplementRegimen
from diary.summaries import summary_mark_stale

SYNC_MAX_ITEMS = 500

# Input fields that are not content: two sends of the same entry may differ in these.
_NOT_CONTENT = {"id", "recorded_at"}


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = "An entry with this id already exists with different content."

    def __init__(self, detail: str | None = None, *, code: str | None = None, current: dict | None = None):
        super().__init__(detail, code)
        self.extra = {"current": current} if current is not None else {}


class IdTaken(Conflict):
    default_code = "id_taken"
    default_detail = "This id is already used. Generate a new UUID for this entry."


@dataclass
class Outcome:
    status: str  # created | updated | unchanged
    instance: DiaryEntry
    warnings: list[dict[str, str]] = field(default_factory=list)


# --- derived values -----------------------------------------------------------------------
def _local_date(kind: Kind, values: dict[str, Any], zone_name: str) -> date:
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
            stats.vitamin_d_category(values["value_normalised"]) if analyte == units.VITAMIN_D_25OH else ""
        )
        if values["category"] == stats.CATEGORY_HIGH:
            warnings.append(
                {
                    "code": "high_vitamin_d_level",
                    "message": "This 25(OH)D level is above 100 ng/mL: show it to your clinician and check your dose.",
                }
            )
    return warnings


def _daily_equivalent(kind: Kind, values: dict[str, Any], regimen: SupplementRegimen | None) -> float:
    if kind is REGIMEN:
        return stats.daily_equivalent_iu(values["amount_normalised"], values["frequency"], values["weekdays"])
    if regimen is not None:
        return stats.daily_equivalent_iu(values["amount_normalised"], regimen.frequency, regimen.weekdays)
    return values["amount_normalised"]


def _same_content(instance: DiaryEntry, values: dict[str, Any], sent: set[str]) -> bool:
    for name in sent - _NOT_CONTENT:
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


def _field_error(name: str, message: str, code: str = "invalid") -> serializers.ValidationError:
    return serializers.ValidationError({name: [exceptions.ErrorDetail(message, code=code)]})


def _regimen_for(patient: User, regimen_id: uuid.UUID | None, known: dict[uuid.UUID, SupplementRegimen] | None = None):
    if regimen_id is None:
        return None
    if known is not None:
        regimen = known.get(regimen_id)
    else:
        regimen = SupplementRegimen.objects.filter(patient=patient, id=regimen_id).first()
    if regimen is None:
        raise _field_error("regimen_id", "No regimen with this id in your diary.", "does_not_exist")
    return regimen


def build_values(
    kind: Kind,
    patient: User,
    validated: dict[str, Any],
    *,
    zone_name: str,
    regimens: dict[uuid.UUID, SupplementRegimen] | None = None,
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Model field values for a validated input, with derived columns, and warnings."""
    values = {name: value for name, value in validated.items() if name != "id"}
    values.setdefault("recorded_at", timezone.now())
    regimen = None
    if kind is DOSE:
        regimen = _regimen_for(patient, values.pop("regimen_id", None), regimens)
        values["regimen"] = regimen
        if regimen is not None and regimen.supplement != values["supplement"]:
            raise _field_error("regimen_id", f"This regimen is for {regimen.supplement}, not {values['supplement']}.")
    warnings = _derive(kind, values, regimen)
    values["local_date"] = _local_date(kind, values, zone_name)
    values["time_zone"] = zone_name
    if kind is EPISODE:
        values["night"] = is_night(values["occurred_at"], zone_name, during_sleep=values.get("during_sleep", False))
    return values, warnings


def _validate(kind: Kind, data: Any, *, partial_of: DiaryEntry | None = None) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]}, code="invalid")
    if partial_of is not None:
        merged = _as_input(kind, partial_of)
        merged.update(data)
        data = merged
    serializer = kind.input(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _as_input(kind: Kind, instance: DiaryEntry) -> dict[str, Any]:
    data = {}
    for name in kind.input().fields:
        if name == "regimen_id":
            data[name] = instance.regimen_id
        elif name != "id":
            data[name] = getattr(instance, name)
    return data


def _output(kind: Kind, instance: DiaryEntry) -> dict:
    return dict(kind.output(instance).data)


# --- single-row writes --------------------------------------------------------------------
def entry_create(*, kind: Kind, patient: User, data: Any) -> Outcome:
    """Create, or recognise a retry of, one diary row."""
    validated = _validate(kind, data)
    entry_id = validated.get("id") or uuid.uuid4()
    sent = set(data) & set(validated)
    existing = kind.model.objects.filter(id=entry_id).first()
    if existing is not None:
        return _existing_outcome(kind, patient, existing, validated, sent)

    values, warnings = build_values(kind, patient, validated, zone_name=patient.time_zone)
    _check_one_checkin_per_day(kind, patient, values["local_date"], entry_id)
    try:
        with transaction.atomic():
            instance = kind.model.objects.create(id=entry_id, patient=patient, **values)
    except IntegrityError:
        # Lost a race with the same id (a retry sent twice at once) or the same check-in day.
        existing = kind.model.objects.filter(id=entry_id).first()
        if existing is None:
            _check_one_checkin_per_day(kind, patient, values["local_date"], entry_id)
            raise
        return _existing_outcome(kind, patient, existing, validated, sent)
    instance._warnings = warnings
    if kind.name in ACTIVITY_KINDS:
        observed_days_record(patient.id, [instance.local_date])
    summary_mark_stale(patient.id)
    return Outcome("created", instance, warnings)


def _existing_outcome(kind: Kind, patient: User, existing: DiaryEntry, validated: dict, sent: set[str]) -> Outcome:
    if existing.patient_id != patient.id:
        raise IdTaken()
    values, _ = build_values(kind, patient, validated, zone_name=existing.time_zone)
    if _same_content(existing, values, {n if n != "regimen_id" else "regimen" for n in sent}):
        return Outcome("unchanged", existing)
    raise Conflict(current=_output(kind, existing))


def _check_one_checkin_per_day(kind: Kind, patient: User, local_date: date, entry_id: uuid.UUID) -> None:
    if kind is not CHECKIN:
        return
    other = CHECKIN.model.objects.filter(patient=patient, local_date=local_date).exclude(id=entry_id).first()
    if other is not None:
        raise Conflict(
            f"There is already a check-in for {local_date.isoformat()}. Update that one instead.",
            code="checkin_exists",
            current=_output(kind, other),
        )


def entry_put(*, kind: Kind, patient: User, entry_id: uuid.UUID, data: Any) -> Outcome:
    """PUT: replace the row, or create it under this id when it is new."""
    existing = kind.model.objects.filter(id=entry_id).first()
    if existing is None:
        payload = dict(data) if isinstance(data, dict) else data
        if isinstance(payload, dict):
            payload["id"] = str(entry_id)
        return entry_create(kind=kind, patient=patient, data=payload)
    if existing.patient_id != patient.id:
        raise IdTaken()
    return _update(kind, patient, existing, _validate(kind, data))


def entry_patch(*, kind: Kind, patient: User, instance: DiaryEntry, data: Any) -> Outcome:
    if isinstance(data, dict) and "id" in data and str(data["id"]) != str(instance.id):
        raise _field_error("id", "The id cannot be changed.")
    return _update(kind, patient, instance, _validate(kind, data, partial_of=instance))


def _update(kind: Kind, patient: User, instance: DiaryEntry, validated: dict[str, Any]) -> Outcome:
    validated.pop("id", None)
    # The row keeps the zone it was logged in: moving house does not move old entries.
    values, warnings = build_values(kind, patient, validated, zone_name=instance.time_zone)
    if "recorded_at" not in validated:
        values.pop("recorded_at")
    _check_one_checkin_per_day(kind, patient, values["local_date"], instance.id)
    old_date = instance.local_date
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        _check_one_checkin_per_day(kind, patient, values["local_date"], instance.id)
        raise
    if kind.name in ACTIVITY_KINDS and old_date != instance.local_date:
        observed_days_record(patient.id, [instance.local_date])
        observed_days_prune(patient.id, [old_date])
    instance._warnings = warnings
    summary_mark_stale(patient.id)
    return Outcome("updated", instance, warnings)


def entry_delete(*, instance: DiaryEntry) -> None:
    patient_id, day, counts = instance.patient_id, instance.local_date, type(instance) in _ACTIVITY_MODELS()
    instance.delete()
    if counts:
        observed_days_prune(patient_id, [day])
    summary_mark_stale(patient_id)


# --- observed days ------------------------------------------------------------------------
def _ACTIVITY_MODELS() -> tuple[type[DiaryEntry], ...]:
    return tuple(KINDS[name].model for name in ACTIVITY_KINDS)


def observed_days_record(patient_id: uuid.UUID, days: list[date]) -> None:
    ObservedDay.objects.bulk_create(
        [ObservedDay(patient_id=patient_id, local_date=day) for day in set(days)], ignore_conflicts=True
    )


def observed_days_prune(patient_id: uuid.UUID, days: list[date]) -> None:
    """Forget days that no longer hold any activity (after a delete or a moved entry)."""
    for day in set(days):
        if not any(
            model.objects.filter(patient_id=patient_id, local_date=day).exists() for model in _ACTIVITY_MODELS()
        ):
            ObservedDay.objects.filter(patient_id=patient_id, local_date=day).delete()


# --- offline sync batch -------------------------------------------------------------------
@dataclass
class SyncItemResult:
    index: int
    kind: str | None
    id: str | None
    status: str  # created | unchanged | conflict | invalid
    errors: dict[str, list[str]] = field(default_factory=dict)
    code: str | None = None
    entry: dict | None = None
    warnings: list[dict[str, str]] = field(default_factory=list)


def sync_batch(*, patient: User, items: list[Any]) -> list[SyncItemResult]:
    """Store every valid item of an offline batch; report each item's fate.

    The number of queries does not grow with the batch: validation is in memory, existing
    ids are fetched with one query per kind, new rows are inserted with one bulk insert per
    kind. Valid items are stored even when others in the batch fail.
    """
    from config.api.errors import flatten_field_errors

    results: list[SyncItemResult | None] = [None] * len(items)
    pending: dict[str, list[tuple[int, dict, set[str]]]] = {name: [] for name in KINDS}

    for index, item in enumerate(items):
        raw_kind = item.get("kind") if isinstance(item, dict) else None
        kind_name = raw_kind if isinstance(raw_kind, str) else None
        raw_id = item.get("id") if isinstance(item, dict) else None
        item_id = str(raw_id)[:64] if isinstance(raw_id, (str, int)) else None
        if kind_name not in KINDS:
            results[index] = SyncItemResult(
                index,
                kind_name,
                item_id,
                "invalid",
                {"kind": [f"Use one of: {', '.join(KINDS)}."]},
                "invalid",
            )
            continue
        kind = KINDS[kind_name]
        payload = item.get("payload")
        if not isinstance(payload, dict):
            results[index] = SyncItemResult(
                index, kind_name, item_id, "invalid", {"payload": ["Send the entry as a JSON object."]}, "invalid"
            )
            continue
        data = {**payload, "id": item.get("id")}
        if item.get("recorded_at") is not None:
            data["recorded_at"] = item["recorded_at"]
        serializer = kind.input(data=data)
        if not serializer.is_valid():
            results[index] = SyncItemResult(
                index, kind_name, item_id, "invalid", flatten_field_errors(serializer.errors), "invalid"
            )
            continue
        validated = dict(serializer.validated_data)
        if validated.get("id") is None:
            results[index] = SyncItemResult(
                index,
                kind_name,
                None,
                "invalid",
                {"id": ["Every synced entry needs its client-generated UUID."]},
                "required",
            )
            continue
        pending[kind_name].append((index, validated, set(data) & set(validated)))

    # One id may appear twice in a batch (a retried item): the first wins, later copies compare to it.
    queued: dict[tuple[str, uuid.UUID], DiaryEntry] = {}
    now = timezone.now()
    regimens = _regimens_for_batch(patient, pending)

    with transaction.atomic():
        for kind_name, entries in pending.items():
            kind = KINDS[kind_name]
            if not entries:
                continue
            ids = [validated["id"] for _, validated, _ in entries]
            existing = {row.id: row for row in kind.model.objects.filter(id__in=ids).select_related(None)}
            checkin_days: dict[date, DiaryEntry] = {}
            if kind is CHECKIN:
                days = {validated["local_date"] for _, validated, _ in entries}
                checkin_days = {
                    row.local_date: row for row in kind.model.objects.filter(patient=patient, local_date__in=days)
                }
            to_create = []
            for index, validated, sent in entries:
                entry_id = validated["id"]
                try:
                    values, warnings = build_values(
                        kind, patient, validated, zone_name=patient.time_zone, regimens=regimens
                    )
                except serializers.ValidationError as exc:
                    results[index] = SyncItemResult(
                        index, kind_name, str(entry_id), "invalid", flatten_field_errors(exc.detail), "invalid"
                    )
                    continue
                row = existing.get(entry_id) or queued.get((kind_name, entry_id))
                if row is not None:
                    results[index] = _sync_existing(index, kind, patient, row, values, sent)
                    continue
                if kind is CHECKIN:
                    other = checkin_days.get(values["local_date"])
                    if other is not None:
                        results[index] = SyncItemResult(
                            index, kind_name, str(entry_id), "conflict", {}, "checkin_exists", _output(kind, other)
                        )
                        continue
                instance = kind.model(id=entry_id, patient=patient, created_at=now, updated_at=now, **values)
                instance._warnings = warnings
                if kind is CHECKIN:
                    checkin_days[values["local_date"]] = instance
                if kind is REGIMEN:
                    regimens[entry_id] = instance
                queued[(kind_name, entry_id)] = instance
                to_create.append((index, instance))
            _bulk_insert(kind, patient, to_create, results)
        created_days = [
            date.fromisoformat(r.entry["local_date"])
            for r in results
            if r is not None and r.status == "created" and r.kind in ACTIVITY_KINDS
        ]
        if created_days:
            observed_days_record(patient.id, created_days)
        if any(result is not None and result.status == "created" for result in results):
            summary_mark_stale(patient.id)
    return [result for result in results if result is not None]


def _sync_existing(
    index: int, kind: Kind, patient: User, row: DiaryEntry, values: dict, sent: set[str]
) -> SyncItemResult:
    sent = {n if n != "regimen_id" else "regimen" for n in sent}
    if row.patient_id != patient.id:
        return SyncItemResult(index, kind.name, str(row.id), "conflict", {}, "id_taken")
    if _same_content(row, values, sent):
        return SyncItemResult(index, kind.name, str(row.id), "unchanged", entry=_output(kind, row))
    return SyncItemResult(index, kind.name, str(row.id), "conflict", {}, "conflict", _output(kind, row))


def _bulk_insert(kind: Kind, patient: User, to_create: list[tuple[int, DiaryEntry]], results: list) -> None:
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
    for index, instance in to_create:
        results[index] = SyncItemResult(
            index, kind.name, str(instance.id), "created", entry=_output(kind, instance), warnings=instance.warnings
        )


def _regimens_for_batch(patient: User, pending: dict[str, list]) -> dict[uuid.UUID, SupplementRegimen]:
    wanted = {validated.get("regimen_id") for _, validated, _ in pending["dose"]} - {None}
    if not wanted:
        return {}
    return {row.id: row for row in SupplementRegimen.objects.filter(patient=patient, id__in=wanted)}


def _insert_one_by_one(kind: Kind, patient: User, to_create: list[tuple[int, DiaryEntry]], results: list) -> None:
    for index, instance in to_create:
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
        except IntegrityError:
            row = kind.model.objects.filter(id=instance.id).first()
            if row is None:  # the check-in day was taken
                results[index] = SyncItemResult(index, kind.name, str(instance.id), "conflict", {}, "checkin_exists")
                continue
            values = {name: getattr(instance, name) for name in _content_fields(kind)}
            results[index] = _sync_existing(index, kind, patient, row, values, set(values))
            continue
        results[index] = SyncItemResult(
            index, kind.name, str(instance.id), "created", entry=_output(kind, instance), warnings=instance.warnings
        )


def _content_fields(kind: Kind) -> list[str]:
    return [("regimen" if name == "regimen_id" else name) for name in kind.input().fields if name not in _NOT_CONTENT]


def regimen_from_template(
    *, patient: User, template_key: str, start_date: date, weekday: int | None = None, entry_id: uuid.UUID | None = None
) -> Outcome:
    """A regimen from a ready-made protocol, as an ordinary idempotent create."""
    from datetime import timedelta

    from diary.templates_regimen import REGIMEN_TEMPLATES

    template = REGIMEN_TEMPLATES[template_key]
    data: dict[str, Any] = {
        "supplement": template.supplement,
        "amount": str(template.amount),
        "unit": template.unit,
        "frequency": template.frequency,
        "phase": template.phase,
        "start_date": start_date.isoformat(),
        "weekdays": [weekday or start_date.isoweekday()] if template.frequency == "weekly" else [],
        "notes": template.note,
    }
    if template.duration_weeks:
        data["end_date"] = (start_date + timedelta(weeks=template.duration_weeks, days=-1)).isoformat()
    if entry_id:
        data["id"] = str(entry_id)
    return entry_create(kind=REGIMEN, patient=patient, data=data)
