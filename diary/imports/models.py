"""An import of a CSV or the product's own JSON export into one patient's diary (app label
"diary": registered through `diary.models`)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver


def upload_path(job: ImportJob, filename: str) -> str:
    return f"imports/{job.id}/upload"


class ImportJob(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV (the documented layout)"
        JSON = "json", "JSON (this product's export)"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8, choices=Format.choices)
    filename = models.CharField(max_length=200, blank=True)
    # The upload, kept until the worker has read it.
    upload = models.FileField(upload_to=upload_path, blank=True, max_length=200)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Rows in the file.")
    done = models.PositiveIntegerField(default=0, help_text="Rows handled so far.")
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0, help_text="Rows already in the diary (an earlier import).")
    failed = models.PositiveIntegerField(default=0)
    # [{"row": 12, "column": "severity", "reason": "..."}], the first IMPORT_MAX_ERRORS.
    errors = models.JSONField(default=list)
    error = models.CharField(max_length=200, blank=True, help_text="Why the whole file was refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="import_patient_idx")]

    def __str__(self) -> str:
        return f"{self.format} import {self.id} ({self.status})"


@receiver(post_delete, sender=ImportJob, dispatch_uid="imports-delete-upload")
def _delete_upload(sender, instance: ImportJob, **kwargs) -> None:
    if instance.upload:
        instance.upload.delete(save=False)
