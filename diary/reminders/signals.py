"""Keep next_fire_at right when what it was computed from changes outside this app: the
patient's time zone (PATCH /me) or a regimen's dates (the diary API)."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from diary.models import SupplementRegimen


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="reminders-user-zone")
def _patient_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and "time_zone" not in update_fields):
        return  # a login (last_login) or any save that leaves the zone alone
    from diary.reminders.services import reminders_reschedule

    reminders_reschedule(patient=instance)


@receiver(post_save, sender=SupplementRegimen, dispatch_uid="reminders-regimen-dates")
def _regimen_saved(sender, instance: SupplementRegimen, created: bool, **kwargs) -> None:
    if created:
        return
    from diary.reminders.services import reminders_reschedule

    reminders_reschedule(regimen=instance)
