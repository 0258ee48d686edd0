from django.urls import path

from diary.imports import apis

urlpatterns = [
    path("imports", apis.ImportListCreateApi.as_view(), name="import-list"),
    path("imports/template.csv", apis.ImportTemplateApi.as_view(), name="import-template"),
    path("imports/<uuid:import_id>", apis.ImportDetailApi.as_view(), name="import-detail"),
]
