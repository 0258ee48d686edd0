"""Input and output shapes of the clinician dashboard."""

from __future__ import annotations

from rest_framework import serializers

from config.api.fields import StrictQuery
from diary.dashboard import flags, rows
from diary.insights import stats


class DashboardQuery(StrictQuery):
    ordering = serializers.ChoiceField(
        choices=rows.ORDERINGS,
        default="flags",
        help_text="Default: flagged patients first (most flags first), then by name.",
    )
    flag = serializers.ChoiceField(choices=flags.FLAGS, required=False, help_text="Only patients with this flag.")
    search = serializers.CharField(
        required=False, max_length=100, help_text="Part of the patient's name or email, any case."
    )


class FlagOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=flags.FLAGS)
    date = serializers.DateField(allow_null=True, help_text="The day it is about: the dose, the lab, the last report.")
    text = serializers.CharField()
    regimen_id = serializers.UUIDField(allow_null=True)


class PatientBriefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    time_zone = serializers.CharField()


class VitaminDOutput(serializers.Serializer):
    value_ng_ml = serializers.FloatField()
    category = serializers.CharField()
    collected_on = serializers.DateField()


class DashboardRowOutput(serializers.Serializer):
    """Documents the rows `dashboard_row_data` builds (500 rows through DRF's field
    machinery cost more than the rest of the request, so rows are plain dicts)."""

    patient = PatientBriefOutput()
    linked_at = serializers.DateTimeField()
    summary_status = serializers.ChoiceField(choices=["current", "updating"])
    last_reported_day = serializers.DateField(
        allow_null=True, help_text="The last day that said anything about cramps."
    )
    days_since_last_report = serializers.IntegerField(allow_null=True)
    episodes_last_28_days = serializers.IntegerField(allow_null=True)
    episodes_previous_28_days = serializers.IntegerField(allow_null=True)
    verdict = serializers.ChoiceField(choices=stats.VERDICTS, allow_null=True)
    adherence_28_days = serializers.FloatField(allow_null=True)
    latest_vitamin_d = VitaminDOutput(allow_null=True)
    flags = FlagOutput(many=True)


def dashboard_row_data(row: rows.DashboardRow) -> dict:
    summary = row.summary
    has_lab = summary is not None and summary.vitamin_d_ng_ml is not None
    return {
        "patient": {
            "id": str(row.patient_id),
            "email": row.email,
            "name": row.name,
            "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
            "time_zone": row.time_zone,
        },
        "linked_at": row.linked_at.isoformat().replace("+00:00", "Z"),
        "summary_status": row.status,
        "last_reported_day": summary.last_reported_day.isoformat() if summary and summary.last_reported_day else None,
        "days_since_last_report": row.days_since_last_report,
        "episodes_last_28_days": summary.episodes_last_28 if summary else None,
        "episodes_previous_28_days": summary.episodes_prior_28 if summary else None,
        "verdict": summary.verdict if summary else None,
        "adherence_28_days": summary.adherence_28 if summary else None,
        "latest_vitamin_d": {
            "value_ng_ml": summary.vitamin_d_ng_ml,
            "category": summary.vitamin_d_category,
            "collected_on": summary.vitamin_d_collected_on.isoformat(),
        }
        if has_lab
        else None,
        "flags": row.flags,
    }
