from django.urls import path

from diary.reports import apis

urlpatterns = []
for prefix, name in (("", ""), ("clinician/patients/<uuid:patient_id>/", "clinician-")):
    urlpatterns += [
        path(f"{prefix}reports/visit", apis.VisitReportHtmlApi.as_view(), name=f"{name}visit-report"),
        path(f"{prefix}reports/visit.pdf", apis.VisitReportPdfApi.as_view(), name=f"{name}visit-report-pdf"),
    ]
