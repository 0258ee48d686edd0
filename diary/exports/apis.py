"""Export endpoints: the patient's own (`/api/v1/exports`) and a linked clinician's,
read only and access-logged (`/api/v1/clinician/patients/<id>/exports`). A job and its file
belong to whoever asked for it: nobody else sees or downloads it."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.scoping import SubjectMixin
from config.api.exceptions import Conflict, Gone
from diary.exports import selectors, services
from diary.exports.models import ExportJob
from diary.exports.serializers import ExportInput, ExportOutput


class NotReady(Conflict):
    code = "not_ready"
    message = "The export is not ready yet: poll the job until its status is done."


class ExportMixin(SubjectMixin):
    access_resource = "export"
    serializer_class = ExportOutput
    queryset = ExportJob.objects.none()
    pagination_ordering = ("-created_at", "-id")

    def base_path(self) -> str:
        patient_id = self.kwargs.get("patient_id")
        if patient_id is None:
            return "/api/v1/exports"
        return f"/api/v1/clinician/patients/{patient_id}/exports"

    def shaped(self, job: ExportJob, **kwargs):
        return ExportOutput(job, context={"base_path": self.base_path()}, **kwargs).data

    def get_queryset(self):
        return selectors.export_list(requested_by=self.request.user, patient=self.get_subject())

    def get_job(self) -> ExportJob:
        return selectors.export_get(
            requested_by=self.request.user, patient=self.get_subject(), export_id=self.kwargs["export_id"]
        )


class ExportListCreateApi(ExportMixin, GenericAPIView):
    @extend_schema(responses=ExportOutput(many=True), tags=["exports"])
    def get(self, request, patient_id=None):
        """Your export jobs for this diary, newest first."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.shaped(page, many=True))

    @extend_schema(
        request=ExportInput,
        responses={201: ExportOutput, 202: ExportOutput},
        tags=["exports"],
    )
    def post(self, request, patient_id=None):
        """Export the whole diary as CSV (a zip), JSON or a FHIR R4 Bundle. A small diary is
        built at once (201, status done); a larger one is queued (202): poll the job for
        `done` of `total`, then download. Files are kept for EXPORT_RETENTION_HOURS."""
        patient = self.get_subject()  # who may ask comes before what they asked (a 404 before a 400)
        serializer = ExportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.export_request(
            requested_by=request.user, patient=patient, format=serializer.validated_data["format"]
        )
        code = status.HTTP_201_CREATED if job.status == ExportJob.Status.DONE else status.HTTP_202_ACCEPTED
        return Response(self.shaped(job), status=code)


class ExportDetailApi(ExportMixin, GenericAPIView):
    @extend_schema(responses=ExportOutput, tags=["exports"])
    def get(self, request, export_id, patient_id=None):
        """The job's status and progress."""
        return Response(self.shaped(self.get_job()))


class ExportDownloadApi(ExportMixin, GenericAPIView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The export file"),
        },
        tags=["exports"],
    )
    def get(self, request, export_id, patient_id=None):
        """The file, to whoever asked for it (409 not_ready before it is built, 410 once deleted)."""
        job = self.get_job()
        if job.status != ExportJob.Status.DONE:
            raise NotReady()
        if not job.file or not job.file.storage.exists(job.file.name):
            raise Gone("The export file has been deleted; ask for a new export.")
        filename = job.file.name.rsplit("/", 1)[-1]
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=filename, content_type=services.CONTENT_TYPES[job.format]
        )
