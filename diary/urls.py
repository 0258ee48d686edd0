from django.urls import include, path

from diary import api, trends_api
from diary.entries import KINDS

urlpatterns = [
    path("", include("diary.reminders.urls")),
    path("diary/sync", api.SyncApi.as_view(), name="diary-sync"),
    path("diary/regimen-templates", api.RegimenTemplateListApi.as_view(), name="regimen-templates"),
    path("diary/regimens/from-template", api.RegimenFromTemplateApi.as_view(), name="regimen-from-template"),
    path("clinician/patients", trends_api.ClinicianDashboardApi.as_view(), name="clinician-patient-list"),
    path("trends/spasms", trends_api.SpasmSeriesApi.as_view(), name="trends-spasms"),
    path("trends/treatment-response", trends_api.TreatmentResponseApi.as_view(), name="trends-treatment-response"),
    path(
        "clinician/patients/<uuid:patient_id>/trends/spasms",
        trends_api.SpasmSeriesApi.as_view(),
        name="clinician-trends-spasms",
    ),
    path(
        "clinician/patients/<uuid:patient_id>/trends/treatment-response",
        trends_api.TreatmentResponseApi.as_view(),
        name="clinician-trends-treatment-response",
    ),
]

for kind in KINDS.values():
    views = api.build_views(kind)
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
