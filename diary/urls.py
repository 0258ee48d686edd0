from django.urls import include, path

from diary import apis
from diary.kinds import KINDS

urlpatterns = [
    path("", include("diary.reminders.urls")),
    path("", include("diary.insights.urls")),
    path("", include("diary.dashboard.urls")),
    path("", include("diary.exports.urls")),
    path("", include("diary.imports.urls")),
    path("", include("diary.reports.urls")),
    path("diary/sync", apis.SyncApi.as_view(), name="diary-sync"),
    path("diary/days", apis.DayListApi.as_view(), name="day-list"),
    path("diary/days/<str:day>/no-cramps", apis.NoCrampsApi.as_view(), name="day-no-cramps"),
    path(
        "clinician/patients/<uuid:patient_id>/diary/days", apis.ClinicianDayListApi.as_view(), name="clinician-day-list"
    ),
    path("diary/regimen-templates", apis.RegimenTemplateListApi.as_view(), name="regimen-templates"),
    path("diary/regimens/from-template", apis.RegimenFromTemplateApi.as_view(), name="regimen-from-template"),
]

for kind in KINDS.values():
    views = apis.build_views(kind)
    urlpatterns += [
        path(f"diary/{kind.plural}", views["list"].as_view(), name=f"{kind.name}-list"),
        path(f"diary/{kind.plural}/<uuid:entry_id>", views["detail"].as_view(), name=f"{kind.name}-detail"),
        path(
            f"clinician/patients/<uuid:patient_id>/diary/{kind.plural}",
            views["clinician_list"].as_view(),
            name=f"clinician-{kind.name}-list",
        ),
        path(
            f"clinician/patients/<uuid:patient_id>/diary/{kind.plural}/<uuid:entry_id>",
            views["clinician_detail"].as_view(),
            name=f"clinician-{kind.name}-detail",
        ),
    ]
