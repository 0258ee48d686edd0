"""Import endpoints, for the patient only: a clinician reads a diary, never writes one."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient
from diary.imports import layout, parsing, selectors, services
from diary.imports.models import ImportJob
from diary.imports.serializers import ImportInput, ImportOutput


class ImportListCreateApi(GenericAPIView):
    permission_classes = [IsPatient]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportOutput
    queryset = ImportJob.objects.none()
    pagination_ordering = ("-created_at", "-id")

    def get_queryset(self):
        return selectors.import_list(patient=self.request.user)

    @extend_schema(responses=ImportOutput(many=True), tags=["imports"])
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ImportOutput(page, many=True).data)

    @extend_schema(request={"multipart/form-data": ImportInput}, responses={202: ImportOutput}, tags=["imports"])
    def post(self, request):
        """Import a CSV (the layout of `imports/template.csv`) or this product's JSON export.
        A file that cannot be read at all is refused here (400); its rows are then stored by a
        worker: poll the job for `done` of `total`, the counts and the per-row errors.
        Sending the same file again creates nothing new."""
        serializer = ImportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        data = upload.read(settings.IMPORT_MAX_BYTES + 1)
        format = parsing.check_file(filename=upload.name, data=data, format=serializer.validated_data.get("format"))
        job = services.import_request(patient=request.user, filename=upload.name, data=data, format=format)
        return Response(ImportOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=ImportOutput, tags=["imports"])
    def get(self, request, import_id):
        return Response(ImportOutput(selectors.import_get(patient=request.user, import_id=import_id)).data)


class ImportTemplateApi(APIView):
    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV layout, with examples")},
        tags=["imports"],
    )
    def get(self, request):
        """The CSV import layout: the header and one example row per kind."""
        response = HttpResponse(layout.template_csv().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="spasm-diary-import-template.csv"'
        return response
