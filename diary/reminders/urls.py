from django.urls import path

from diary.reminders import apis

urlpatterns = [
    path("reminders/", apis.ReminderListCreateApi.as_view(), name="reminder-list"),
    path("reminders/<int:reminder_id>/", apis.ReminderDetailApi.as_view(), name="reminder-detail"),
    path("reminders/deliveries", apis.DeliveryListApi.as_view(), name="reminder-delivery-list"),
    path(
        "reminders/deliveries/<int:delivery_id>/taken", apis.DeliveryTakenApi.as_view(), name="reminder-delivery-taken"
    ),
    path(
        "reminders/deliveries/<int:delivery_id>/snooze",
        apis.DeliverySnoozeApi.as_view(),
        name="reminder-delivery-snooze",
    ),
    path("reminders/actions/<str:token>", apis.ReminderActionApi.as_view(), name="reminder-action"),
    path("push/subscriptions/", apis.PushSubscriptionListCreateApi.as_view(), name="push-subscription-list"),
    path(
        "push/subscriptions/<int:subscription_id>/",
        apis.PushSubscriptionDetailApi.as_view(),
        name="push-subscription-detail",
    ),
    path("push/vapid-public-key", apis.VapidPublicKeyApi.as_view(), name="push-vapid-public-key"),
    path(
        "clinician/patients/<uuid:patient_id>/reminders", apis.ReminderListApi.as_view(), name="clinician-reminder-list"
    ),
]
