from django.urls import path

from diary.exports import apis

urlpatterns = []
for prefix, name in (("", ""), ("clinician/patients/<uuid:patient_id>/", "clinician-")):
    urlpatterns += [
        path(f"{prefix}exports", apis.ExportListCreateApi.as_view(), name=f"{name}export-list"),
        path(f"{prefix}exports/<uuid:export_id>", apis.ExportDetailApi.as_view(), name=f"{name}export-detail"),
        path(
            f"{prefix}exports/<uuid:export_id>/download",
            apis.ExportDownloadApi.as_view(),
            name=f"{name}export-download",
        ),
    ]
