from django.urls import path

from diary.reminders import api

urlpatterns = [
    path("reminders/", api.ReminderListCreateApi.as_view(), name="reminder-list"),
    path("reminders/<int:reminder_id>/", api.ReminderDetailApi.as_view(), name="reminder-detail"),
    path("reminders/deliveries", api.DeliveryListApi.as_view(), name="reminder-delivery-list"),
    path(
        "reminders/deliveries/<int:delivery_id>/taken", api.DeliveryTakenApi.as_view(), name="reminder-delivery-taken"
    ),
    path(
        "reminders/deliveries/<int:delivery_id>/snooze",
        api.DeliverySnoozeApi.as_view(),
        name="reminder-delivery-snooze",
    ),
    path("reminders/actions/<str:token>", api.ReminderActionApi.as_view(), name="reminder-action"),
    path("adherence", api.AdherenceApi.as_view(), name="adherence"),
    path("push/subscriptions/", api.PushSubscriptionListCreateApi.as_view(), name="push-subscription-list"),
    path(
        "push/subscriptions/<int:subscription_id>/",
        api.PushSubscriptionDetailApi.as_view(),
        name="push-subscription-detail",
    ),
    path("push/vapid-public-key", api.VapidPublicKeyApi.as_view(), name="push-vapid-public-key"),
    path(
        "clinician/patients/<uuid:patient_id>/reminders", api.ReminderListApi.as_view(), name="clinician-reminder-list"
    ),
    path(
        "clinician/patients/<uuid:patient_id>/adherence",
        api.ClinicianAdherenceApi.as_view(),
        name="clinician-adherence",
    ),
]
