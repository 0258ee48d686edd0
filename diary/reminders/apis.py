"""Reminder endpoints. Schedules and adherence are served on the patient's own path and,
read only, on a linked clinician's (`accounts.scoping.SubjectMixin` decides whose rows and
logs the clinician's read); deliveries, actions and devices belong to the patient alone."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import format_html
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient
from accounts.scoping import SubjectMixin
from config.api.exceptions import DomainError
from diary.reminders import links, selectors, services, transports
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


class LinkInvalid(exceptions.APIException):
    status_code = 400
    default_code = "link_invalid"
    default_detail = "This link is not valid. Open the app to log your dose."


class LinkExpired(exceptions.APIException):
    status_code = 410
    default_code = "link_expired"
    default_detail = "This link has expired. Open the app to log your dose."


def _run_action(token: str) -> dict:
    try:
        action = links.read_action_token(token)
    except links.LinkExpired:
        raise LinkExpired() from None
    except links.LinkInvalid:
        raise LinkInvalid() from None
    delivery = Delivery.objects.filter(id=action.delivery_id).first()
    if delivery is None:  # the reminder was deleted since
        raise exceptions.NotFound("This reminder no longer exists.")
    if action.action == "taken":
        taken = services.delivery_taken(delivery=delivery)
        return {"action": "taken", "delivery": taken.delivery, "dose": taken.dose}
    snooze, _ = services.delivery_snooze(delivery=delivery)
    delivery.refresh_from_db()
    return {"action": "snooze", "delivery": delivery, "snooze": snooze}


_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title></head>'
    '<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem">'
    '<h1 style="font-size: 1.4rem">{}</h1><p>{}</p><p><a href="/">Open the diary</a></p></body></html>'
)


class ReminderActionApi(APIView):
    """The signed "Taken" / "Snooze" link: from an email (GET, one click, no login) or from
    the service worker (POST, without cookies). The token is the credential."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={(200, "text/html"): OpenApiTypes.STR}, tags=TAGS, operation_id="reminder_action_link_open"
    )
    def get(self, request, token):
        try:
            result = _run_action(token)
        except exceptions.APIException as exc:
            page = format_html(_PAGE, "Spasm diary", "That did not work", str(exc.detail))
            return HttpResponse(page, status=exc.status_code, content_type="text/html; charset=utf-8")
        except DomainError as exc:
            page = format_html(_PAGE, "Spasm diary", "That did not work", exc.message)
            return HttpResponse(page, status=exc.status, content_type="text/html; charset=utf-8")
        dose = result.get("dose")
        if result["action"] == "snooze":
            heading, text = "Snoozed", "We will remind you again in 30 minutes."
        elif dose is None:
            heading, text = "Done", "The reminder is marked as taken."
        else:
            what = f"{dose.amount.normalize():,f} {dose.unit} {dose.supplement.replace('_', ' ')}"
            heading, text = "Logged", f"{what} is in your diary as taken. Thank you."
        page = format_html(_PAGE, "Spasm diary", heading, text)
        return HttpResponse(page, content_type="text/html; charset=utf-8")

    @extend_schema(request=None, responses=ActionOutput, tags=TAGS, operation_id="reminder_action_link_post")
    def post(self, request, token):
        result = _run_action(token)
        return Response(ActionOutput(result).data)


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
