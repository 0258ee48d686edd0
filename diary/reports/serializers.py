"""The visit report's query."""

from __future__ import annotations

from datetime import timedelta

from rest_framework import serializers

from config.api.fields import BoundedDateField, StrictQuery
from diary.reports.context import PAPERS

DEFAULT_DAYS = 12 * 7
MAX_DAYS = 731


class ReportQuery(StrictQuery):
    to = BoundedDateField(required=False, help_text="Last day (local, inclusive). Default: today.")
    paper = serializers.ChoiceField(choices=list(PAPERS), default="a4", help_text="Page size of the PDF and of print.")

    def get_fields(self):
        # `from` is a Python keyword, so it cannot be declared as an attribute.
        fields = super().get_fields()
        fields["from"] = BoundedDateField(required=False, help_text="First day (local). Default: 12 weeks back.")
        return fields

    def validate(self, attrs):
        last = attrs.get("to") or self.context["today"]
        first = attrs.get("from") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise serializers.ValidationError({"from": ["'from' is after 'to'."]}, code="invalid")
        if (last - first).days + 1 > MAX_DAYS:
            raise serializers.ValidationError({"from": [f"A report covers at most {MAX_DAYS} days."]}, code="invalid")
        return {"first": first, "last": last, "paper": attrs["paper"]}
