"""Reads for reminders, each scoped to the patient whose rows the viewer may see
(`accounts.scoping` decides who that is). Adherence is counted in `diary.insights`."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from config.api.exceptions import NotFound
from diary.reminders.links import LINK_USED_FIELDS, LinkUsed
from diary.reminders.models import Delivery, PushSubscription, Reminder


def reminder_list(*, patient: User) -> QuerySet[Reminder]:
    return Reminder.objects.filter(patient=patient).select_related("regimen")


def reminder_get(*, patient: User, reminder_id: int) -> Reminder:
    try:
        return reminder_list(patient=patient).get(id=reminder_id)
    except Reminder.DoesNotExist:
        raise NotFound() from None


def delivery_list(*, patient: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(reminder__patient=patient)


def delivery_get(*, patient: User, delivery_id: int) -> Delivery:
    try:
        return delivery_list(patient=patient).get(id=delivery_id)
    except Delivery.DoesNotExist:
        raise NotFound() from None


def push_subscription_list(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user)


def push_subscription_get(*, user: User, subscription_id: int) -> PushSubscription:
    try:
        return push_subscription_list(user=user).get(id=subscription_id)
    except PushSubscription.DoesNotExist:
        raise NotFound() from None


def delivery_for_link(*, delivery_id: int, action: str) -> Delivery:
    """The delivery a signed link names, for its confirmation page (GET changes nothing)."""
    delivery = Delivery.objects.select_related("reminder__regimen").filter(id=delivery_id).first()
    if delivery is None:
        raise NotFound("This reminder no longer exists.")
    if getattr(delivery, LINK_USED_FIELDS[action]) is not None:
        raise LinkUsed()
    return delivery
