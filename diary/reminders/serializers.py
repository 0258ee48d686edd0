"""Explicit input and output shapes for reminders; no field leaves by accident."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rest_framework import serializers

from config.api.fields import ClockTimeField, ClockTimeOutputField, StrictInput, StrictQuery
from diary.reminders import schedule
from diary.reminders.models import Delivery, Reminder
from diary.serializers import CheckinOutput, DoseOutput, validate_instant


class ReminderInput(StrictInput):
    regimen_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="Make it from a regimen: time and days default to the regimen's."
    )
    label = serializers.CharField(max_length=80, allow_blank=True, required=False)
    local_time = ClockTimeField(
        required=False, help_text="HH:MM in your own zone; from a regimen: 08:00 (weekly: 09:00)."
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        max_length=7,
        required=False,
        help_text="ISO weekdays 1=Monday..7=Sunday; empty means every day.",
    )
    channel = serializers.ChoiceField(choices=Reminder.Channel.choices, required=False)
    quiet_start = ClockTimeField(required=False, allow_null=True)
    quiet_end = ClockTimeField(required=False, allow_null=True)
    enabled = serializers.BooleanField(required=False)

    def validate_weekdays(self, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each weekday once.", code="duplicate")
        return sorted(value)


class ReminderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    regimen_id = serializers.UUIDField(allow_null=True)
    label = serializers.CharField()
    local_time = ClockTimeOutputField()
    weekdays = serializers.ListField(child=serializers.IntegerField())
    channel = serializers.ChoiceField(choices=Reminder.Channel.choices)
    quiet_start = ClockTimeOutputField(allow_null=True)
    quiet_end = ClockTimeOutputField(allow_null=True)
    enabled = serializers.BooleanField()
    time_zone = serializers.CharField()
    next_fire_at = serializers.DateTimeField(allow_null=True, help_text="UTC; null when off or the regimen has ended.")
    next_fire_local = serializers.SerializerMethodField(help_text="next_fire_at in the reminder's zone.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_next_fire_local(self, reminder: Reminder) -> str | None:
        if reminder.next_fire_at is None:
            return None
        return reminder.next_fire_at.astimezone(ZoneInfo(reminder.time_zone)).isoformat()


class DeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reminder_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Delivery.Kind.choices)
    status = serializers.ChoiceField(choices=Delivery.Status.choices)
    scheduled_for = serializers.DateTimeField(help_text="The slot, UTC.")
    fire_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    claimed_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    taken_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField(help_text="Why it was not sent (no device, push service refused...).")
    dose_id = serializers.UUIDField(allow_null=True)


class DeliveryFilterInput(StrictQuery):
    status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False)
    reminder = serializers.IntegerField(required=False, min_value=1)


class TakenInput(StrictInput):
    taken_at = serializers.DateTimeField(
        required=False,
        validators=[validate_instant],
        help_text="Default: now (or the slot, for a slot over a day old).",
    )


class TakenOutput(serializers.Serializer):
    delivery = DeliveryOutput()
    dose = DoseOutput(allow_null=True)
    created = serializers.BooleanField(help_text="False when the dose was already logged.")


class SnoozeInput(StrictInput):
    minutes = serializers.IntegerField(
        min_value=schedule.SNOOZE_MIN_MINUTES, max_value=schedule.SNOOZE_MAX_MINUTES, required=False, default=30
    )


class ActionOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["taken", "snooze", "no_cramps"])
    delivery = DeliveryOutput()
    dose = DoseOutput(allow_null=True, required=False)
    snooze = DeliveryOutput(allow_null=True, required=False)
    checkin = CheckinOutput(allow_null=True, required=False, help_text="no_cramps: the day's check-in.")


class PushKeysInput(StrictInput):
    p256dh = serializers.CharField(max_length=128)
    auth = serializers.CharField(max_length=64)


class PushSubscriptionInput(StrictInput):
    """PushSubscription.toJSON() as the browser gives it (expirationTime is ignored)."""

    endpoint = serializers.URLField(max_length=1024)
    keys = PushKeysInput()
    user_agent = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PushSubscriptionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    endpoint = serializers.URLField()
    user_agent = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_success_at = serializers.DateTimeField(allow_null=True)


class VapidPublicKeyOutput(serializers.Serializer):
    public_key = serializers.CharField(
        allow_null=True, help_text="applicationServerKey for PushManager.subscribe(), base64url; null: push is off."
    )
