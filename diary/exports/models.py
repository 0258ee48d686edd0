"""An export of one patient's diary, built in the request or by a worker, and the file it
leaves for a limited time (app label "diary": registered through `diary.models`)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver


def export_path(job: ExportJob, filename: str) -> str:
    # A random job id in the path: the name says nothing about whose diary it is.
    return f"exports/{job.id}/{filename}"


class ExportJob(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV files in a zip"
        JSON = "json", "JSON (the API's own shapes)"
        FHIR = "fhir", "FHIR R4 Bundle"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Who asked: the only one who may download it (the patient, or a linked clinician).
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8, choices=Format.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Diary rows to write.")
    done = models.PositiveIntegerField(default=0, help_text="Diary rows written so far.")
    file = models.FileField(upload_to=export_path, blank=True, max_length=200)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_requester_idx")]

    def __str__(self) -> str:
        return f"{self.format} export {self.id} ({self.status})"


@receiver(post_delete, sender=ExportJob, dispatch_uid="exports-delete-file")
def _delete_file(sender, instance: ExportJob, **kwargs) -> None:
    # Rows go by cascade (account deletion) or by the expiry task: the file goes with them.
    if instance.file:
        instance.file.delete(save=False)
