"""Input and output shapes of the export endpoints."""

from __future__ import annotations

from rest_framework import serializers

from diary.exports.models import ExportJob


class ExportInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportJob.Format.choices)


class ExportOutput(serializers.Serializer):
    id = serializers.UUIDField()
    patient_id = serializers.UUIDField()
    format = serializers.ChoiceField(choices=ExportJob.Format.choices)
    status = serializers.ChoiceField(choices=ExportJob.Status.choices)
    total = serializers.IntegerField(help_text="Diary rows to write.")
    done = serializers.IntegerField(help_text="Diary rows written so far.")
    size_bytes = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(help_text="The file is deleted after this.")
    download_url = serializers.SerializerMethodField(help_text="Null until the file is ready.")

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        base = self.context["base_path"]
        return f"{base}/{job.id}/download"
