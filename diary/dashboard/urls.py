from django.urls import path

from diary.dashboard import apis

urlpatterns = [
    path("clinician/patients", apis.ClinicianDashboardApi.as_view(), name="clinician-patient-list"),
]
