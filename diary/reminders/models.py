"""Reminder schedules, their deliveries, and the devices they are pushed to.

A Reminder is a wall-clock rule ("08:00 in the patient's zone, on these weekdays") that
stores its next firing instant in UTC. The beat tick turns each due slot into exactly one
Delivery: the unique constraint on (reminder, scheduled_for, kind) makes a second tick,
a retried tick or a racing tick insert nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from diary.models import SupplementDose, SupplementRegimen


class Reminder(models.Model):
    class Channel(models.TextChoices):
        PUSH = "push", "Web push"
        EMAIL = "email", "Email"
        BOTH = "both", "Web push and email"

    id = models.BigAutoField(primary_key=True)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    # No index of its own: reminder_one_per_regimen_time leads with regimen_id and serves
    # its lookups; each index on this table costs the tick ~0.35 s per 100k advanced rows.
    regimen = models.ForeignKey(
        SupplementRegimen,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        db_index=False,
    )
    label = models.CharField(max_length=80, blank=True, help_text="What to take, when there is no regimen.")
    local_time = models.TimeField(help_text="Wall-clock time in the patient's zone, whole minutes.")
    weekdays = models.JSONField(default=list, blank=True, help_text="ISO weekdays 1=Monday..7=Sunday; empty = daily.")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PUSH)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    # The zone next_fire_at was computed in: a patient who moves gets it recomputed.
    time_zone = models.CharField(max_length=64)
    next_fire_at = models.DateTimeField(null=True, blank=True, help_text="UTC; null when disabled or finished.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["local_time", "id"]
        indexes = [
            # The tick's only scan: enabled reminders by next firing instant.
            models.Index(fields=["next_fire_at"], condition=Q(enabled=True), name="reminder_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["regimen", "local_time"],
                condition=Q(regimen__isnull=False),
                name="reminder_one_per_regimen_time",
            ),
            models.CheckConstraint(condition=Q(channel__in=["push", "email", "both"]), name="reminder_channel_valid"),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="reminder_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"reminder {self.id} at {self.local_time:%H:%M} ({self.time_zone})"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.local_time is not None and (self.local_time.second or self.local_time.microsecond):
            errors["local_time"] = "Use whole minutes (HH:MM)."
        weekdays = self.weekdays
        if not isinstance(weekdays, list) or any(
            isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7 for day in weekdays
        ):
            errors["weekdays"] = "Use ISO weekdays, 1 (Monday) to 7 (Sunday)."
        elif len(set(weekdays)) != len(weekdays):
            errors["weekdays"] = "Each weekday once."
        if (self.quiet_start is None) != (self.quiet_end is None):
            field = "quiet_end" if self.quiet_end is None else "quiet_start"
            errors[field] = "Give quiet hours as a start and an end, or neither."
        elif self.quiet_start is not None and self.quiet_start == self.quiet_end:
            errors["quiet_end"] = "Quiet hours must end at another time than they start."
        if errors:
            raise ValidationError(errors)


class Delivery(models.Model):
    """One firing of a reminder for one slot: the reminder itself, its snooze, its follow-up."""

    class Kind(models.TextChoices):
        REMINDER = "reminder"
        SNOOZE = "snooze"
        FOLLOW_UP = "follow_up", "Follow-up"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled (a snooze waiting for its time)"
        PENDING = "pending", "Pending (on the broker)"
        SENDING = "sending", "Sending (a worker holds it)"
        SENT = "sent"
        FAILED = "failed"
        MISSED = "missed", "Missed (too late to send)"
        SNOOZED = "snoozed"
        TAKEN = "taken"

    IN_FLIGHT = (Status.PENDING, Status.SENDING)

    id = models.BigAutoField(primary_key=True)
    # Indexed by delivery_one_per_slot_kind, which leads with it.
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REMINDER)
    scheduled_for = models.DateTimeField(help_text="The slot (UTC) this delivery is about.")
    fire_at = models.DateTimeField(help_text="When it is to be sent: the slot, or the snooze's end.")
    status = models.CharField(max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now, help_text="When the tick claimed the slot.")
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker last took it to send.")
    sent_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    # While pending or sending: when the sweeper may assume the message or the worker
    # holding it is lost and put it back on the broker.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    follow_up_due_at = models.DateTimeField(null=True, blank=True)
    dose = models.OneToOneField(
        SupplementDose, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminder_delivery"
    )
    # Each signed link ("Taken", "Snooze") works once: claimed by a conditional UPDATE of
    # its column (diary.reminders.services.action_link_run).
    taken_link_used_at = models.DateTimeField(null=True, blank=True)
    snooze_link_used_at = models.DateTimeField(null=True, blank=True)
    no_cramps_link_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["reminder", "scheduled_for", "kind"], name="delivery_one_per_slot_kind"),
            models.CheckConstraint(
                condition=Q(
                    status__in=["scheduled", "pending", "sending", "sent", "failed", "missed", "snoozed", "taken"]
                ),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["reminder", "snooze", "follow_up"]), name="delivery_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["fire_at"], condition=Q(status="scheduled"), name="delivery_snooze_due_idx"),
            models.Index(
                fields=["follow_up_due_at"], condition=Q(follow_up_due_at__isnull=False), name="delivery_follow_up_idx"
            ),
            models.Index(
                fields=["lease_until"], condition=Q(status__in=["pending", "sending"]), name="delivery_in_flight_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} for {self.scheduled_for:%Y-%m-%d %H:%M}Z ({self.status})"


class PushSubscription(models.Model):
    """A browser's PushSubscription: one row per endpoint, owned by whoever registered it last."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1024, unique=True)
    p256dh = models.CharField(max_length=128)
    auth = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"push subscription {self.id} of {self.user_id}"

    def as_subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
