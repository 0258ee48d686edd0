from django.urls import path

from diary.insights import apis

urlpatterns = [
    path("trends/spasms", apis.SpasmSeriesApi.as_view(), name="trends-spasms"),
    path("trends/treatment-response", apis.TreatmentResponseApi.as_view(), name="trends-treatment-response"),
    path("adherence", apis.AdherenceApi.as_view(), name="adherence"),
    path("doses/today", apis.TodayDosesApi.as_view(), name="doses-today"),
    path(
        "clinician/patients/<uuid:patient_id>/trends/spasms",
        apis.SpasmSeriesApi.as_view(),
        name="clinician-trends-spasms",
    ),
    path(
        "clinician/patients/<uuid:patient_id>/trends/treatment-response",
        apis.TreatmentResponseApi.as_view(),
        name="clinician-trends-treatment-response",
    ),
    path(
        "clinician/patients/<uuid:patient_id>/adherence",
        apis.ClinicianAdherenceApi.as_view(),
        name="clinician-adherence",
    ),
]
