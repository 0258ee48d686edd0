"""Input and output shapes of the import endpoints."""

from __future__ import annotations

from rest_framework import serializers

from diary.imports.models import ImportJob


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV in the documented layout, or this product's JSON export.")
    format = serializers.ChoiceField(
        choices=ImportJob.Format.choices, required=False, help_text="Default: from the file name and content."
    )


class RowErrorOutput(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="CSV: the spreadsheet row (the header is row 1). JSON: the entry's position."
    )
    kind = serializers.CharField(allow_null=True)
    column = serializers.CharField()
    reason = serializers.CharField()


class ImportOutput(serializers.Serializer):
    id = serializers.UUIDField()
    format = serializers.ChoiceField(choices=ImportJob.Format.choices)
    filename = serializers.CharField()
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    total = serializers.IntegerField(help_text="Rows in the file (0 until the worker has read it).")
    done = serializers.IntegerField(help_text="Rows handled so far.")
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Rows already in the diary: an import sent again creates nothing.")
    failed = serializers.IntegerField(help_text="Rows refused; see errors.")
    errors = RowErrorOutput(many=True, help_text="The first 1,000 refused rows.")
    error = serializers.CharField(help_text="Why the whole file failed, when it did.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
