"""Explicit input and output shapes for diary rows. Serializers parse (types, choices,
the shape of one row) and shape output; the domain's rules (largest accepted dose, units a
supplement takes, what a living person's serum can hold, one check-in a day) are in
`diary.services`, which the sync batch and the reminders' "Taken" share."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone
from rest_framework import exceptions, serializers

from config.api.errors import flatten_field_errors
from config.api.fields import DecimalStringField, StrictInput
from diary import units
from diary.kinds import KINDS, Kind
from diary.models import DiaryEntry, DoseSkip, LabResult, SpasmEpisode, SunExposure, SupplementRegimen
from diary.services import SyncItem, SyncItemResult

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=10)


def validate_instant(value: datetime) -> datetime:
    # Phones' clocks drift; ten minutes ahead is allowed, more is a mistake.
    if value > timezone.now() + CLOCK_SKEW:
        raise serializers.ValidationError("This is in the future (more than 10 minutes ahead).", code="in_future")
    if value < EARLIEST:
        raise serializers.ValidationError("Dates before 2000-01-01 are not accepted.", code="too_old")
    return value


def validate_past_date(value):
    if value > timezone.localdate() + timedelta(days=1):  # +1: a patient east of UTC is a day ahead
        raise serializers.ValidationError("This date is in the future.", code="in_future")
    if value < EARLIEST.date():
        raise serializers.ValidationError("Dates before 2000-01-01 are not accepted.", code="too_old")
    return value


def validate_plan_date(value: date) -> date:
    # A regimen may be planned ahead, but not years ahead.
    if value > timezone.localdate() + timedelta(days=366):
        raise serializers.ValidationError("Plan at most a year ahead.", code="too_far")
    if value < EARLIEST.date():
        raise serializers.ValidationError("Dates before 2000-01-01 are not accepted.", code="too_old")
    return value


class Score(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=10, **kwargs)


class EntryInput(StrictInput):
    """Fields every diary row accepts."""

    id = serializers.UUIDField(required=False, help_text="Client-generated; makes retries safe.")
    recorded_at = serializers.DateTimeField(required=False, validators=[validate_instant])
    notes = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class WarningOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class EntryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    local_date = serializers.DateField()
    time_zone = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    notes = serializers.CharField()
    warnings = WarningOutput(many=True, read_only=True, help_text="Advice about the values saved; empty on reads.")


# --- episodes -------------------------------------------------------------------------
class EpisodeInput(EntryInput):
    occurred_at = serializers.DateTimeField(validators=[validate_instant])
    muscle_group = serializers.ChoiceField(choices=SpasmEpisode.MuscleGroup.choices)
    side = serializers.ChoiceField(choices=SpasmEpisode.Side.choices, required=False, default="n/a")
    severity = Score()
    duration_seconds = serializers.IntegerField(
        min_value=1, max_value=24 * 3600, required=False, allow_null=True, default=None
    )
    during_sleep = serializers.BooleanField(required=False, default=False)
    woke_patient = serializers.BooleanField(required=False, default=False)
    trigger = serializers.ChoiceField(choices=SpasmEpisode.Trigger.choices, required=False, default="unknown")


class EpisodeOutput(EntryOutput):
    occurred_at = serializers.DateTimeField()
    muscle_group = serializers.ChoiceField(choices=SpasmEpisode.MuscleGroup.choices)
    side = serializers.ChoiceField(choices=SpasmEpisode.Side.choices)
    severity = serializers.IntegerField()
    duration_seconds = serializers.IntegerField(allow_null=True)
    during_sleep = serializers.BooleanField()
    woke_patient = serializers.BooleanField()
    trigger = serializers.ChoiceField(choices=SpasmEpisode.Trigger.choices)


# --- check-ins ------------------------------------------------------------------------
class CheckinInput(EntryInput):
    local_date = serializers.DateField(validators=[validate_past_date], help_text="The patient's own date.")
    weakness = Score(required=False, allow_null=True, default=None)
    fatigue = Score(required=False, allow_null=True, default=None)
    bone_pain = Score(required=False, allow_null=True, default=None)
    twitching = Score(required=False, allow_null=True, default=None)
    no_cramps = serializers.BooleanField(required=False, default=False, help_text="An explicit zero for the day.")


class CheckinOutput(EntryOutput):
    weakness = serializers.IntegerField(allow_null=True)
    fatigue = serializers.IntegerField(allow_null=True)
    bone_pain = serializers.IntegerField(allow_null=True)
    twitching = serializers.IntegerField(allow_null=True)
    no_cramps = serializers.BooleanField()


# --- sun ------------------------------------------------------------------------------
class SunInput(EntryInput):
    started_at = serializers.DateTimeField(validators=[validate_instant])
    minutes = serializers.IntegerField(min_value=0, max_value=1440)
    skin_exposed = serializers.ListField(
        child=serializers.ChoiceField(choices=SunExposure.Skin.choices), max_length=4, required=False, default=list
    )
    sunscreen = serializers.BooleanField(required=False, default=False)
    uv_index = DecimalStringField(
        max_digits=4,
        decimal_places=1,
        pattern=r"^(1?\d(\.\d)?|20(\.0)?)$",  # 0 to 20, one decimal
        max_value=20,
        required=False,
        allow_null=True,
        default=None,
    )

    def validate_skin_exposed(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each skin area once.", code="duplicate")
        return sorted(value)


class SunOutput(EntryOutput):
    started_at = serializers.DateTimeField()
    minutes = serializers.IntegerField()
    skin_exposed = serializers.ListField(child=serializers.ChoiceField(choices=SunExposure.Skin.choices))
    sunscreen = serializers.BooleanField()
    uv_index = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


# --- supplements ----------------------------------------------------------------------
class AmountMixin(serializers.Serializer):
    supplement = serializers.ChoiceField(choices=[(s, s) for s in units.SUPPLEMENTS])
    amount = DecimalStringField(max_digits=12, decimal_places=3)
    unit = serializers.ChoiceField(choices=[(u, u) for u in units.DOSE_UNITS])


class RegimenInput(AmountMixin, EntryInput):
    frequency = serializers.ChoiceField(choices=SupplementRegimen.Frequency.choices)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), max_length=7, required=False, default=list
    )
    start_date = serializers.DateField(validators=[validate_plan_date])
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    phase = serializers.ChoiceField(choices=SupplementRegimen.Phase.choices, required=False, default="maintenance")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        frequency, weekdays = attrs.get("frequency"), attrs.get("weekdays") or []
        if frequency == "weekdays" and not weekdays:
            raise serializers.ValidationError({"weekdays": ["Choose at least one weekday."]}, code="required")
        if frequency == "weekly" and len(weekdays) > 1:
            raise serializers.ValidationError({"weekdays": ["A weekly regimen has one weekday."]}, code="invalid")
        if frequency == "daily" and weekdays:
            raise serializers.ValidationError(
                {"weekdays": ["A daily regimen has no weekdays; choose 'weekdays' instead."]}, code="invalid"
            )
        if frequency == "weekly" and not weekdays and attrs.get("start_date"):
            weekdays = [attrs["start_date"].isoweekday()]  # weekly on the start date's weekday
        if len(set(weekdays)) != len(weekdays):
            raise serializers.ValidationError({"weekdays": ["Each weekday once."]}, code="duplicate")
        attrs["weekdays"] = sorted(weekdays)
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["The end date is before the start date."]}, code="invalid")
        return attrs


class RegimenOutput(EntryOutput):
    supplement = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit = serializers.CharField()
    amount_normalised = serializers.FloatField()
    normalised_unit = serializers.CharField()
    daily_equivalent = serializers.FloatField(
        help_text="Amount per day in the normalised unit (50,000 IU weekly = 7,142.9)."
    )
    frequency = serializers.ChoiceField(choices=SupplementRegimen.Frequency.choices)
    weekdays = serializers.ListField(child=serializers.IntegerField())
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    phase = serializers.ChoiceField(choices=SupplementRegimen.Phase.choices)


class DoseInput(AmountMixin, EntryInput):
    taken_at = serializers.DateTimeField(validators=[validate_instant])
    regimen_id = serializers.UUIDField(required=False, allow_null=True, default=None)


class DoseOutput(EntryOutput):
    taken_at = serializers.DateTimeField()
    supplement = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit = serializers.CharField()
    amount_normalised = serializers.FloatField()
    normalised_unit = serializers.CharField()
    regimen_id = serializers.UUIDField(allow_null=True)


# --- labs -----------------------------------------------------------------------------
class LabInput(EntryInput):
    analyte = serializers.ChoiceField(choices=[(a, a) for a in units.ANALYTES])
    value = DecimalStringField(max_digits=10, decimal_places=3)
    unit = serializers.ChoiceField(choices=[(u, u) for u in units.LAB_UNITS])
    collected_on = serializers.DateField(validators=[validate_past_date])
    reference_low = serializers.DecimalField(
        max_digits=10,
        decimal_places=3,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="The lower end of the range printed on the report, in `unit`. It wins over the default range.",
    )
    reference_high = serializers.DecimalField(
        max_digits=10, decimal_places=3, min_value=0, required=False, allow_null=True, default=None
    )


class LabOutput(EntryOutput):
    analyte = serializers.ChoiceField(choices=[(a, a) for a in units.ANALYTES])
    value = serializers.DecimalField(max_digits=10, decimal_places=3)
    unit = serializers.CharField()
    value_normalised = serializers.FloatField()
    normalised_unit = serializers.CharField()
    category = serializers.ChoiceField(choices=LabResult.Category.choices, allow_blank=True)
    collected_on = serializers.DateField()
    reference_low = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    reference_high = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    interpretation = serializers.ChoiceField(
        choices=["low", "normal", "high"], help_text="Against the report's range when given, else the adult default."
    )
    range_low = serializers.FloatField(source="interval.low", help_text="The range used, in normalised_unit.")
    range_high = serializers.FloatField(source="interval.high")
    range_source = serializers.CharField(source="interval.source", help_text="report, or where the default comes from.")
    explanation = serializers.CharField(
        source="reading.sentence", help_text="For the patient: the value against the usual range, no diagnosis."
    )


# --- skips --------------------------------------------------------------------------
class SkipInput(EntryInput):
    regimen_id = serializers.UUIDField()
    local_date = serializers.DateField(validators=[validate_past_date], help_text="The date of the skipped dose.")
    reason = serializers.ChoiceField(choices=DoseSkip.Reason.choices, required=False, default="other")


class SkipOutput(EntryOutput):
    regimen_id = serializers.UUIDField()
    reason = serializers.ChoiceField(choices=DoseSkip.Reason.choices)


# The shapes of each kind, by the registry's name (diary.kinds).
INPUTS: dict[str, type[EntryInput]] = {
    "episode": EpisodeInput,
    "checkin": CheckinInput,
    "sun": SunInput,
    "regimen": RegimenInput,
    "dose": DoseInput,
    "lab": LabInput,
    "skip": SkipInput,
}
OUTPUTS: dict[str, type[EntryOutput]] = {
    "episode": EpisodeOutput,
    "checkin": CheckinOutput,
    "sun": SunOutput,
    "regimen": RegimenOutput,
    "dose": DoseOutput,
    "lab": LabOutput,
    "skip": SkipOutput,
}


# --- parsing ------------------------------------------------------------------------------
def _as_input(kind: Kind, instance: DiaryEntry) -> dict[str, Any]:
    """A stored row in its input shape, as JSON would carry it, for PATCH to merge the
    change into (the input is strict about JSON types, so stored values are written out)."""
    data = {}
    for name, field in INPUTS[kind.name]().fields.items():
        if name == "id":
            continue
        value = instance.regimen_id if name == "regimen_id" else getattr(instance, name)
        data[name] = None if value is None else field.to_representation(value)
    return data


def parse_entry(kind: Kind, data: Any, *, partial_of: DiaryEntry | None = None) -> tuple[dict[str, Any], set[str]]:
    """The typed values of one row and the names the client sent (a retry is compared on those)."""
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]}, code="invalid")
    sent = set(data)
    if partial_of is not None:
        data = {**_as_input(kind, partial_of), **data}
    serializer = INPUTS[kind.name](data=data)
    serializer.is_valid(raise_exception=True)
    values = dict(serializer.validated_data)
    return values, sent & set(values)


def parse_sync_items(raw_items: list[Any]) -> tuple[list[SyncItem], list[SyncItemResult]]:
    """Each item parsed on its own: one bad item is reported by itself, never fails the batch."""
    parsed, refused = [], []
    for index, item in enumerate(raw_items):
        raw_kind = item.get("kind") if isinstance(item, dict) else None
        kind_name = raw_kind if isinstance(raw_kind, str) else None
        raw_id = item.get("id") if isinstance(item, dict) else None
        item_id = str(raw_id)[:64] if isinstance(raw_id, (str, int)) else None

        def invalid(errors: dict, code: str = "invalid", *, index=index, kind_name=kind_name, item_id=item_id):
            refused.append(SyncItemResult(index, kind_name, item_id, "invalid", errors, code))

        if kind_name not in KINDS:
            invalid({"kind": [f"Use one of: {', '.join(KINDS)}."]})
            continue
        payload = item.get("payload")
        if not isinstance(payload, dict):
            invalid({"payload": ["Send the entry as a JSON object."]})
            continue
        data = {**payload, "id": item.get("id")}
        if item.get("recorded_at") is not None:
            data["recorded_at"] = item["recorded_at"]
        try:
            values, sent = parse_entry(KINDS[kind_name], data)
        except exceptions.ValidationError as exc:
            invalid(flatten_field_errors(exc.detail))
            continue
        entry_id = values.pop("id", None)
        if entry_id is None:
            refused.append(
                SyncItemResult(
                    index,
                    kind_name,
                    None,
                    "invalid",
                    {"id": ["Every synced entry needs its client-generated UUID."]},
                    "required",
                )
            )
            continue
        parsed.append(SyncItem(index, KINDS[kind_name], entry_id, values, frozenset(sent)))
    return parsed, refused
