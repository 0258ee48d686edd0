"""Reminder endpoints. Schedules and adherence are served on the patient's own path and,
read only, on a linked clinician's (`accounts.scoping.SubjectMixin` decides whose rows and
logs the clinician's read); deliveries, actions and devices belong to the patient alone."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import format_html
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient
from accounts.scoping import SubjectMixin
from config.api.exceptions import DomainError
from diary.reminders import links, messages, selectors, services, transports
from diary.reminders.models import Delivery, PushSubscription, Reminder
from diary.reminders.serializers import (
    ActionOutput,
    DeliveryFilterInput,
    DeliveryOutput,
    PushSubscriptionInput,
    PushSubscriptionOutput,
    ReminderInput,
    ReminderOutput,
    SnoozeInput,
    TakenInput,
    TakenOutput,
    VapidPublicKeyOutput,
)

TAGS = ["reminders"]


# --- schedules ----------------------------------------------------------------------------
class ReminderListApi(SubjectMixin, GenericAPIView):
    access_resource = "reminders"
    serializer_class = ReminderOutput
    conflict_output = ReminderOutput
    queryset = Reminder.objects.none()  # for the schema; get_queryset scopes to the subject
    pagination_ordering = ("local_time", "id")

    def get_queryset(self):
        return selectors.reminder_list(patient=self.get_subject())

    @extend_schema(responses=ReminderOutput(many=True), tags=TAGS, operation_id="clinician_reminders_list")
    def get(self, request, patient_id=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReminderOutput(page, many=True).data)


class ReminderListCreateApi(ReminderListApi):
    @extend_schema(responses=ReminderOutput(many=True), tags=TAGS, operation_id="reminders_list")
    def get(self, request, patient_id=None):
        return super().get(request, patient_id)

    @extend_schema(
        request=ReminderInput,
        responses={201: ReminderOutput, 409: OpenApiResponse(description="Same regimen, same time")},
        tags=TAGS,
        operation_id="reminders_create",
    )
    def post(self, request):
        """Create a schedule. With `regimen_id` alone: daily (or chosen weekdays) at 08:00,
        weekly on the regimen's weekday at 09:00, in your time zone."""
        serializer = ReminderInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        reminder = services.reminder_create(patient=self.get_subject(), data=serializer.validated_data)
        return Response(ReminderOutput(reminder).data, status=status.HTTP_201_CREATED)


class ReminderDetailApi(SubjectMixin, GenericAPIView):
    access_resource = "reminders"
    serializer_class = ReminderOutput
    conflict_output = ReminderOutput

    def get_object(self) -> Reminder:
        return selectors.reminder_get(patient=self.get_subject(), reminder_id=self.kwargs["reminder_id"])

    @extend_schema(responses=ReminderOutput, tags=TAGS, operation_id="reminders_retrieve")
    def get(self, request, reminder_id):
        return Response(ReminderOutput(self.get_object()).data)

    @extend_schema(request=ReminderInput, responses=ReminderOutput, tags=TAGS, operation_id="reminders_update")
    def patch(self, request, reminder_id):
        reminder = self.get_object()
        serializer = ReminderInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        reminder = services.reminder_update(reminder=reminder, data=serializer.validated_data)
        return Response(ReminderOutput(reminder).data)

    @extend_schema(responses={204: None}, tags=TAGS, operation_id="reminders_delete")
    def delete(self, request, reminder_id):
        services.reminder_delete(reminder=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- deliveries and their actions ---------------------------------------------------------
class DeliveryListApi(SubjectMixin, GenericAPIView):
    access_resource = "reminder-deliveries"
    serializer_class = DeliveryOutput
    queryset = Delivery.objects.none()
    pagination_ordering = ("-scheduled_for", "-id")

    def get_queryset(self):
        patient = self.get_subject()  # who may see before what is asked: 403/404 before a 400
        query = DeliveryFilterInput(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        deliveries = selectors.delivery_list(patient=patient)
        if "status" in query.validated_data:
            deliveries = deliveries.filter(status=query.validated_data["status"])
        if "reminder" in query.validated_data:
            deliveries = deliveries.filter(reminder_id=query.validated_data["reminder"])
        return deliveries

    @extend_schema(
        parameters=[DeliveryFilterInput],
        responses=DeliveryOutput(many=True),
        tags=TAGS,
        operation_id="reminder_deliveries_list",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DeliveryOutput(page, many=True).data)


def _taken_response(taken: services.Taken) -> Response:
    body = {"delivery": taken.delivery, "dose": taken.dose, "created": taken.created}
    return Response(TakenOutput(body).data, status=status.HTTP_201_CREATED if taken.created else status.HTTP_200_OK)


class DeliveryTakenApi(SubjectMixin, APIView):
    access_resource = "reminder-deliveries"

    @extend_schema(
        request=TakenInput, responses={201: TakenOutput, 200: TakenOutput}, tags=TAGS, operation_id="delivery_taken"
    )
    def post(self, request, delivery_id):
        """Log the dose of this reminder, once: pressing again answers the same dose (200)."""
        delivery = selectors.delivery_get(patient=self.get_subject(), delivery_id=delivery_id)
        serializer = TakenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _taken_response(
            services.delivery_taken(delivery=delivery, taken_at=serializer.validated_data.get("taken_at"))
        )


class DeliverySnoozeApi(SubjectMixin, APIView):
    access_resource = "reminder-deliveries"

    @extend_schema(
        request=SnoozeInput,
        responses={201: DeliveryOutput, 200: DeliveryOutput, 409: OpenApiResponse(description="Already taken")},
        tags=TAGS,
        operation_id="delivery_snooze",
    )
    def post(self, request, delivery_id):
        """Remind once more in `minutes` (default 30). One snooze per reminder: pressing again
        answers the snooze already set (200)."""
        delivery = selectors.delivery_get(patient=self.get_subject(), delivery_id=delivery_id)
        serializer = SnoozeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        snooze, created = services.delivery_snooze(delivery=delivery, minutes=serializer.validated_data["minutes"])
        return Response(DeliveryOutput(snooze).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _page(request, title: str, text: str, *, status: int = 200, form_action: str | None = None, button: str = ""):
    """A small HTML page: the one screen an email link opens. Its <style> carries the
    request's CSP nonce; it has no script at all."""
    form = (
        format_html(
            '<form method="post" action="{}"><input type="hidden" name="confirm" value="1">'
            '<button type="submit">{}</button></form>',
            form_action,
            button,
        )
        if form_action
        else ""
    )
    page = format_html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Spasm diary</title>'
        '<style nonce="{}">body {{ font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; '
        "padding: 0 1rem }} h1 {{ font-size: 1.4rem }} button {{ font-size: 1.1rem; padding: .7rem 1.2rem }}</style>"
        '</head><body><h1>{}</h1><p>{}</p>{}<p><a href="/">Open the diary</a></p></body></html>',
        request.csp_nonce,
        title,
        text,
        form,
    )
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")


def _dose_words(dose) -> str:
    return f"{dose.amount.normalize():,f} {dose.unit} {dose.supplement.replace('_', ' ')}"


def _from_the_page(request) -> bool:
    # The confirmation page's form posts form-encoded; the service worker posts JSON (or
    # nothing) and reads JSON back.
    return request.content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


class ReminderActionApi(APIView):
    """The signed "Taken" / "Snooze" link. The token is the credential: no login, no cookie.

    - GET (an email's link; mail scanners open links too) changes nothing: it shows a page
      whose button POSTs to the same URL, as healthchecks does for its one-click links.
    - POST carries out the action once (diary.reminders.services.action_link_run). From that
      page it answers HTML; from the service worker's notification button (a fetch without
      cookies) it answers JSON.

    No CSRF check, on purpose: CSRF protects requests that a browser authenticates with its
    cookies. This view reads no cookie and no session (authentication_classes is empty); the
    secret is in the URL itself, so a forged cross-site POST could only do what the link's
    holder can, for that one slot.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            (200, "text/html"): OpenApiTypes.STR,
            (404, "text/html"): OpenApiTypes.STR,
            (410, "text/html"): OpenApiTypes.STR,
        },
        tags=TAGS,
        operation_id="reminder_action_link_open",
        description="The confirmation page of an emailed link: shows what the link does, with a button. Changes nothing.",
    )
    def get(self, request, token):
        try:
            action = links.read_action_token(token)
            delivery = selectors.delivery_for_link(delivery_id=action.delivery_id, action=action.action)
        except DomainError as exc:
            return _page(request, "That did not work", exc.message, status=exc.status)
        regimen = delivery.reminder.regimen
        if action.action == "snooze":
            title, text, button = "Snooze this reminder?", "We will remind you again in 30 minutes.", "Snooze"
        elif action.action == "no_cramps":
            day = messages.yesterday_of(delivery)
            title = "No cramps yesterday?"
            text = f"Say there were no cramps on {day:%A} {day.day} {day:%B}. It counts as a day in your diary."
            button = "No cramps that day"
        elif delivery.status == Delivery.Status.TAKEN:
            title, text, button = "Already taken", "This reminder is already marked as taken.", ""
        else:
            what = _dose_words(regimen) if regimen is not None else (delivery.reminder.label or "your dose")
            title, text, button = "Log this dose?", f"Mark {what} as taken now.", "Yes, I took it"
        return _page(request, title, text, form_action=request.path if button else None, button=button)

    @extend_schema(
        request=None,
        responses={
            (200, "application/json"): ActionOutput,
            (200, "text/html"): OpenApiTypes.STR,
            404: OpenApiResponse(description="The link names nothing (`link_invalid`), or the reminder was deleted."),
            409: OpenApiResponse(description="Snooze after the dose was taken (`already_taken`)."),
            410: OpenApiResponse(description="The link has expired (`link_expired`) or was used (`link_used`)."),
        },
        tags=TAGS,
        operation_id="reminder_action_link_post",
    )
    def post(self, request, token):
        try:
            action = links.read_action_token(token)
            outcome = services.action_link_run(delivery_id=action.delivery_id, action=action.action)
        except DomainError as exc:
            if _from_the_page(request):
                return _page(request, "That did not work", exc.message, status=exc.status)
            raise
        if _from_the_page(request):
            if outcome.action == "snooze":
                return _page(request, "Snoozed", "We will remind you again in 30 minutes.")
            if outcome.action == "no_cramps":
                day = outcome.checkin.local_date
                return _page(request, "Noted", f"No cramps on {day:%A} {day.day} {day:%B}: that day is in your diary.")
            if outcome.dose is None:
                return _page(request, "Done", "The reminder is marked as taken.")
            return _page(request, "Logged", f"{_dose_words(outcome.dose)} is in your diary as taken. Thank you.")
        body = {
            "action": outcome.action,
            "delivery": outcome.delivery,
            "dose": outcome.dose,
            "snooze": outcome.snooze,
            "checkin": outcome.checkin,
        }
        return Response(ActionOutput(body).data)


# --- devices ------------------------------------------------------------------------------
class PushSubscriptionListCreateApi(GenericAPIView):
    permission_classes = [IsPatient]
    serializer_class = PushSubscriptionOutput
    queryset = PushSubscription.objects.none()
    pagination_ordering = ("-created_at", "-id")

    def get_queryset(self):
        return selectors.push_subscription_list(user=self.request.user)

    @extend_schema(responses=PushSubscriptionOutput(many=True), tags=TAGS, operation_id="push_subscriptions_list")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PushSubscriptionOutput(page, many=True).data)

    @extend_schema(
        request=PushSubscriptionInput,
        responses={201: PushSubscriptionOutput, 200: PushSubscriptionOutput},
        tags=TAGS,
        operation_id="push_subscriptions_register",
    )
    def post(self, request):
        """Register this browser (PushSubscription.toJSON()). One row per endpoint: sending it
        again updates the row (200)."""
        serializer = PushSubscriptionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, created = services.push_subscription_register(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=data["user_agent"],
        )
        return Response(
            PushSubscriptionOutput(subscription).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class PushSubscriptionDetailApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses={204: None}, tags=TAGS, operation_id="push_subscriptions_delete")
    def delete(self, request, subscription_id):
        subscription = selectors.push_subscription_get(user=request.user, subscription_id=subscription_id)
        services.push_subscription_delete(subscription=subscription)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VapidPublicKeyApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=VapidPublicKeyOutput, tags=TAGS, operation_id="push_vapid_public_key")
    def get(self, request):
        """The applicationServerKey to pass to PushManager.subscribe(); null when web push is
        off on this server (reminders then go by email)."""
        key = settings.WEBPUSH_VAPID_PUBLIC_KEY if transports.push_enabled() else None
        return Response(VapidPublicKeyOutput({"public_key": key}).data)
