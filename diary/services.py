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
from diary import dose_safety, labs, selectors, units
from diary.dashboard.services import diary_changed
from diary.insights import adherence
from diary.kinds import CHECKIN, DOSE, EPISODE, KINDS, LAB, REGIMEN, SKIP, Kind, is_night
from diary.models import DailyCheckin, DiaryEntry, ReportedDay, SpasmEpisode, SupplementRegimen
from diary.regimen_templates import REGIMEN_TEMPLATES

SYNC_MAX_ITEMS = 500

# Input fields that are not content: two sends of the same entry may differ in these.
_NOT_CONTENT = {"id", "recorded_at"}


class IdTaken(Conflict):
    code = "id_taken"
    message = "This id is already used. Generate a new UUID for this entry."


class CheckinExists(Conflict):
    code = "checkin_exists"


class CrampsLogged(Conflict):
    """ "No cramps" for a date that holds episodes: the episodes are the more specific fact."""

    code = "cramps_logged"

    def __init__(self, day: date, episode_ids: list[uuid.UUID]):
        count = len(episode_ids)
        super().__init__(
            f"{count} cramp{'s are' if count != 1 else ' is'} logged on {_long_date(day)}, so it cannot be a day "
            "without cramps. Delete the cramp first if it was logged by mistake."
        )
        self.episode_ids = episode_ids
        self.extra["episode_ids"] = [str(episode_id) for episode_id in episode_ids]


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
        low, high = values.get("reference_low"), values.get("reference_high")
        if (low is None) != (high is None):
            missing = "reference_high" if high is None else "reference_low"
            raise ValidationFailed.field(missing, "Give both ends of the report's range, or neither.", "required")
        if low is not None and low >= high:
            raise ValidationFailed.field("reference_high", "The top of the range must be above its bottom.")


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
        if kind is REGIMEN:
            # A regimen's single dose is checked like a dose's; the totals are checked as doses come in.
            day = values["start_date"]
            alerts = dose_safety.single_dose_alerts(
                supplement, values["amount_normalised"], day, selectors.dose_limits()
            )
            warnings += [{"code": a.code, "message": a.message} for a in alerts]
    if kind is LAB:
        analyte = values["analyte"]
        values["value_normalised"] = units.normalise_lab(analyte, values["value"], values["unit"])
        values["normalised_unit"] = units.LAB_ANALYTES[analyte].canonical_unit
        values["category"] = (
            units.vitamin_d_category(values["value_normalised"]) if analyte == units.VITAMIN_D_25OH else ""
        )
        low, high = values.get("reference_low"), values.get("reference_high")
        interval = labs.interval_for(
            analyte,
            None if low is None else units.normalise_lab(analyte, low, values["unit"]),
            None if high is None else units.normalise_lab(analyte, high, values["unit"]),
        )
        values["interpretation"] = labs.interpret(values["value_normalised"], interval)
        if values["category"] == units.CATEGORY_HIGH:
            warnings.append(
                {
                    "code": "high_vitamin_d_level",
                    "message": "This 25(OH)D level is above 100 ng/mL: show it to your clinician and check your dose.",
                }
            )
    return warnings


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
    if kind is SKIP:
        regimen = _regimen_for(patient, values.pop("regimen_id", None), regimens)
        values["regimen"] = regimen
        if not adherence.slot_days(adherence.Plan.of(regimen), values["local_date"], values["local_date"]):
            raise ValidationFailed.field("local_date", "This regimen asks for no dose on that date.", "no_slot")
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
    row, warnings = build_values(kind, patient, values, zone_name=patient.time_zone)
    if kind is CHECKIN:
        _check_one_checkin_per_day(kind, patient, row["local_date"], entry_id)
        _check_no_contradiction(kind, patient, row)
    # The common case (a new id) is one transaction: the row, what it changes about its day,
    # and the dashboard's stale mark. A known id (a retry) fails the insert and is answered
    # below, after the rollback, so a retry writes nothing.
    try:
        with transaction.atomic():
            instance = kind.model.objects.create(id=entry_id, patient=patient, **row)
            warnings += _after_write(kind, patient, instance, moved_from=None)
            diary_changed(patient.id)
    except IntegrityError:
        existing = kind.model.objects.filter(id=entry_id).first()
        if existing is None:  # not the id: the check-in day, taken meanwhile
            _check_one_checkin_per_day(kind, patient, row["local_date"], entry_id)
            raise
        return _existing_outcome(kind, patient, existing, values, sent)
    instance._warnings = warnings
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
    _check_no_contradiction(kind, patient, row)
    old_date = instance.local_date
    for name, value in row.items():
        setattr(instance, name, value)
    try:
        with transaction.atomic():
            instance.save()
            warnings += _after_write(kind, patient, instance, moved_from=old_date)
            diary_changed(patient.id)
    except IntegrityError:
        _check_one_checkin_per_day(kind, patient, row["local_date"], instance.id)
        raise
    instance._warnings = warnings
    return Outcome("updated", instance, warnings)


def entry_delete(*, instance: DiaryEntry) -> None:
    patient_id, day = instance.patient_id, instance.local_date
    with transaction.atomic():
        instance.delete()
        if isinstance(instance, (SpasmEpisode, DailyCheckin)):
            reported_days_refresh(patient_id, [day])
        diary_changed(patient_id)


# --- reported days and the "no cramps" statement ------------------------------------------
def reported_days_refresh(patient_id: uuid.UUID, days: Collection[date]) -> None:
    """The definition of a reported day, applied to `days`: a local date is reported for
    cramps when it holds at least one episode or an explicit "no cramps" statement. Nothing
    else counts (DOMAIN.md). Every write that can change an answer calls this (or, when the
    write itself proves the day reported, `reported_days_record`)."""
    days = set(days)
    if not days:
        return
    # order_by(): the models' default ordering is not allowed inside a UNION.
    with_episodes = (
        SpasmEpisode.objects.filter(patient_id=patient_id, local_date__in=days).order_by().values_list("local_date")
    )
    with_statement = (
        DailyCheckin.objects.filter(patient_id=patient_id, local_date__in=days, no_cramps=True)
        .order_by()
        .values_list("local_date")
    )
    reported = {day for (day,) in with_episodes.union(with_statement)}
    reported_days_record(patient_id, reported)
    if days - reported:
        ReportedDay.objects.filter(patient_id=patient_id, local_date__in=days - reported).delete()


def reported_days_record(patient_id: uuid.UUID, days: Collection[date]) -> None:
    """Days a write has just proved reported (an episode or a "no cramps" statement stored)."""
    if days:
        ReportedDay.objects.bulk_create(
            [ReportedDay(patient_id=patient_id, local_date=day) for day in set(days)], ignore_conflicts=True
        )


def _check_no_contradiction(kind: Kind, patient: User, row: Mapping[str, Any]) -> None:
    """ "No cramps" cannot be said for a date that holds episodes (409 with their ids)."""
    if kind is CHECKIN and row.get("no_cramps"):
        episode_ids = list(
            SpasmEpisode.objects.filter(patient=patient, local_date=row["local_date"])
            .order_by("occurred_at")
            .values_list("id", flat=True)
        )
        if episode_ids:
            raise CrampsLogged(row["local_date"], episode_ids)


def _no_cramps_cleared(day: date) -> dict[str, str]:
    return {
        "code": "no_cramps_cleared",
        "message": (
            f"You had said there were no cramps on {_long_date(day)}; that is cleared now that a cramp is logged "
            "for that day."
        ),
    }


def _long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _after_write(kind: Kind, patient: User, instance: DiaryEntry, *, moved_from: date | None) -> list[dict[str, str]]:
    """Keep reported days true after a row was stored, and clear a "no cramps" statement
    that an episode now contradicts (the episode wins). Answers the warnings to show."""
    warnings: list[dict[str, str]] = []
    day = instance.local_date
    if kind is DOSE:
        warnings += dose_warnings(patient, [instance]).get(instance.id, [])
    if kind is EPISODE:
        if DailyCheckin.objects.filter(patient=patient, local_date=day, no_cramps=True).update(no_cramps=False):
            warnings.append(_no_cramps_cleared(day))
        reported_days_record(patient.id, [day])
        if moved_from is not None and moved_from != day:
            reported_days_refresh(patient.id, [moved_from])
    elif kind is CHECKIN:
        reported_days_refresh(patient.id, {day} | ({moved_from} if moved_from else set()))
    return warnings


# --- dose safety --------------------------------------------------------------------------------
def dose_warnings(patient: User, doses: Sequence[DiaryEntry]) -> dict[uuid.UUID, list[dict[str, str]]]:
    """The alerts that concern these just-saved doses, as warnings for the answer: a dose
    gets the alerts of its own date and supplement."""
    if not doses:
        return {}
    days = {dose.local_date for dose in doses}
    alerts = selectors.dose_alerts(patient, min(days), max(days), days=days)
    found: dict[uuid.UUID, list[dict[str, str]]] = {}
    seen: set[tuple] = set()
    for dose in doses:
        group = "vitamin_d" if dose.supplement in units.VITAMIN_D_SUPPLEMENTS else dose.supplement
        for alert in alerts:
            mine = alert.day == dose.local_date and alert.supplement in (dose.supplement, group)
            single = alert.code == "high_single_dose"
            if mine and (not single or abs(alert.amount - dose.amount_normalised) < 1e-9):
                key = (dose.id, alert.code)
                if key not in seen:
                    seen.add(key)
                    found.setdefault(dose.id, []).append({"code": alert.code, "message": alert.message})
    return found


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
    episode_ids: list[str] | None = None  # cramps_logged: the episodes that stand on that date


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
    regimens = _regimens_for_batch(patient, [*pending["dose"], *pending["skip"]])

    with transaction.atomic():
        for kind_name, entries in pending.items():
            kind = KINDS[kind_name]
            if not entries:
                continue
            existing = {row.id: row for row in kind.model.objects.filter(id__in=[item.id for item in entries])}
            checkin_days: dict[date, DiaryEntry] = {}
            cramps_on: dict[date, list[tuple[datetime, uuid.UUID]]] = {}
            if kind is CHECKIN:
                days = {item.values["local_date"] for item in entries}
                checkin_days = {
                    row.local_date: row for row in kind.model.objects.filter(patient=patient, local_date__in=days)
                }
                # This batch's episodes are stored by now (kinds are taken in registry order).
                cramps_on = _episodes_on(
                    patient, {i.values["local_date"] for i in entries if i.values.get("no_cramps")}
                )
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
                    refused = _reconcile_offline_statement(item, values, warnings, cramps_on.get(values["local_date"]))
                    if refused is not None:
                        results[item.index] = refused
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
        _after_sync(patient, created)
        if created:
            diary_changed(patient.id)
    return [results[index] for index in sorted(results)]


def _episodes_on(patient: User, days: set[date]) -> dict[date, list[tuple[datetime, uuid.UUID]]]:
    found: dict[date, list[tuple[datetime, uuid.UUID]]] = {}
    if days:
        for day, recorded_at, episode_id in (
            SpasmEpisode.objects.filter(patient=patient, local_date__in=days)
            .order_by("occurred_at")
            .values_list("local_date", "recorded_at", "id")
        ):
            found.setdefault(day, []).append((recorded_at, episode_id))
    return found


def _reconcile_offline_statement(
    item: SyncItem, values: dict[str, Any], warnings: list, cramps: list[tuple[datetime, uuid.UUID]] | None
) -> SyncItemResult | None:
    """A "no cramps" made offline for a date that now holds episodes. Said before any of
    those cramps was logged (the phone's clock), the cramp came later and wins: the check-in
    is stored without the statement, with a warning. Said after one, it contradicts what
    the patient logged: refused like a POST (409 cramps_logged, with the episodes' ids)."""
    if not values.get("no_cramps") or not cramps:
        return None
    if all(recorded_at > values["recorded_at"] for recorded_at, _ in cramps):
        values["no_cramps"] = False
        warnings.append(_no_cramps_cleared(values["local_date"]))
        return None
    error = CrampsLogged(values["local_date"], [episode_id for _, episode_id in cramps])
    return SyncItemResult(
        item.index, item.kind.name, str(item.id), "conflict", {}, error.code, episode_ids=error.extra["episode_ids"]
    )


def _after_sync(patient: User, created: list[SyncItemResult]) -> None:
    """What `_after_write` does for one row, for a whole batch in a fixed number of queries:
    episodes clear the statements they contradict; created rows make their days reported;
    doses are checked against the safety limits together."""
    doses = [r.instance for r in created if r.kind == DOSE.name]
    if doses:
        found = dose_warnings(patient, doses)
        for result in created:
            if result.kind == DOSE.name:
                result.warnings.extend(found.get(result.instance.id, []))
    episode_days = {r.instance.local_date for r in created if r.kind == EPISODE.name}
    if episode_days:
        stated = DailyCheckin.objects.filter(patient=patient, local_date__in=episode_days, no_cramps=True)
        cleared = set(stated.values_list("local_date", flat=True))
        if cleared:
            stated.update(no_cramps=False)
            for result in created:
                if result.kind == EPISODE.name and result.instance.local_date in cleared:
                    result.warnings.append(_no_cramps_cleared(result.instance.local_date))
    statement_days = {r.instance.local_date for r in created if r.kind == CHECKIN.name and r.instance.no_cramps}
    reported_days_record(patient.id, episode_days | statement_days)


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


# --- "no cramps" for a day, in one tap ----------------------------------------------------------
_NO_CRAMPS_NAMESPACE = uuid.UUID("3b0f5f4e-1c52-4d0e-9f3a-8a7f2a61c0d4")


def no_cramps_checkin_id(patient_id: uuid.UUID, day: date) -> uuid.UUID:
    """The one check-in id for a patient's date, so every "no cramps" tap for that date (from
    a reminder, the home screen or an offline retry) names the same row."""
    return uuid.uuid5(_NO_CRAMPS_NAMESPACE, f"{patient_id}/{day.isoformat()}")


def no_cramps_record(*, patient: User, day: date) -> Outcome:
    """Say "no cramps" for `day`: the day's check-in says so (created if there is none).
    Idempotent: saying it again changes nothing. Refused (409 cramps_logged, with the
    episodes' ids) when cramps are logged on that date."""
    with transaction.atomic():
        existing = DailyCheckin.objects.select_for_update().filter(patient=patient, local_date=day).first()
        if existing is not None and existing.no_cramps:
            return Outcome("unchanged", existing)
        _check_no_contradiction(CHECKIN, patient, {"no_cramps": True, "local_date": day})
        if existing is not None:
            existing.no_cramps = True
            existing.save(update_fields=["no_cramps", "updated_at"])
            reported_days_record(patient.id, [day])
            diary_changed(patient.id)
            outcome = Outcome("updated", existing)
        else:
            outcome = entry_create(
                kind=CHECKIN,
                patient=patient,
                values={"local_date": day, "no_cramps": True, "notes": ""},
                entry_id=no_cramps_checkin_id(patient.id, day),
                sent={"local_date", "no_cramps"},
            )
    return outcome
