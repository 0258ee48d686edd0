"""Trend endpoints, for the patient and (read only, access-logged) a linked clinician."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsClinicianWithMFA
from accounts.scoping import SubjectMixin
from diary import dashboard, stats, trends
from diary.serializers import LabOutput


# --- input ------------------------------------------------------------------------------
class SeriesQuery(serializers.Serializer):
    bucket = serializers.ChoiceField(choices=trends.BUCKETS, default="week")
    to = serializers.DateField(required=False)

    def get_fields(self):
        # `from` is a Python keyword, so it cannot be declared as an attribute.
        return {**super().get_fields(), "from": serializers.DateField(required=False)}

    def validate(self, attrs):
        today = self.context["today"]
        bucket = attrs["bucket"]
        last = attrs.get("to") or today
        first = attrs.get("from") or (last - timedelta(days=trends.DEFAULT_SPAN_DAYS[bucket] - 1))
        if first > last:
            raise serializers.ValidationError({"from": ["'from' is after 'to'."]}, code="invalid")
        if (
            len(trends.bucket_spans(first, min(last, first + timedelta(days=400 * 31)), bucket))
            > trends.MAX_BUCKETS[bucket]
        ):
            raise serializers.ValidationError(
                {"from": [f"At most {trends.MAX_BUCKETS[bucket]} {bucket} buckets at once; use a larger bucket."]},
                code="too_many_buckets",
            )
        return {"bucket": bucket, "first": first, "last": last}


class TreatmentQuery(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="Default: the first vitamin D regimen's start date.")
    before_days = serializers.IntegerField(min_value=1, max_value=365, default=stats.DEFAULT_BEFORE_DAYS)
    lag_days = serializers.IntegerField(min_value=0, max_value=stats.MAX_LAG_DAYS, default=stats.DEFAULT_LAG_DAYS)
    before_start = serializers.DateField(required=False)
    after_start = serializers.DateField(required=False)
    after_end = serializers.DateField(
        required=False, help_text="Last day of the after window (inclusive). Default: today."
    )


# --- output -----------------------------------------------------------------------------
class BucketOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Last day of the bucket, inclusive.")
    days = serializers.IntegerField()
    episodes = serializers.IntegerField()
    observed_days = serializers.IntegerField(help_text="Days with any entry or an explicit 'no cramps today'.")
    episodes_per_observed_day = serializers.FloatField(allow_null=True)
    mean_severity = serializers.FloatField(allow_null=True)
    night_episodes = serializers.IntegerField()
    sun_minutes = serializers.IntegerField()
    vitamin_d_iu_per_day = serializers.FloatField(help_text="Vitamin D taken, as IU per calendar day of the bucket.")
    adherence = serializers.FloatField(
        allow_null=True, help_text="Vitamin D doses taken / scheduled; null without a regimen."
    )


class RegimenMarkOutput(serializers.Serializer):
    id = serializers.UUIDField()
    supplement = serializers.CharField()
    phase = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    daily_equivalent = serializers.FloatField()


class SeriesOutput(serializers.Serializer):
    """Documents what `series_data` builds. A five-year weekly series is 260 buckets: DRF's
    per-field machinery cost more than the SQL, so the view writes the dicts itself."""

    bucket = serializers.ChoiceField(choices=trends.BUCKETS)
    from_ = serializers.DateField(help_text="From (local date, inclusive).")
    to = serializers.DateField(help_text="To (local date, inclusive).")
    time_zone = serializers.CharField()
    supplementation_start = serializers.DateField(allow_null=True)
    loading_lag_days = serializers.IntegerField()
    buckets = BucketOutput(many=True)
    regimens = RegimenMarkOutput(many=True)
    labs = LabOutput(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


def _bucket_data(b: trends.Bucket) -> dict:
    return {
        "start": b.start.isoformat(),
        "end": b.end.isoformat(),
        "days": b.days,
        "episodes": b.episodes,
        "observed_days": b.observed_days,
        "episodes_per_observed_day": b.episodes_per_observed_day,
        "mean_severity": None if b.mean_severity is None else float(b.mean_severity),
        "night_episodes": b.night_episodes,
        "sun_minutes": b.sun_minutes,
        "vitamin_d_iu_per_day": b.vitamin_d_iu_per_day,
        "adherence": b.adherence,
    }


def series_data(series: trends.Series, time_zone: str) -> dict:
    return {
        "bucket": series.bucket,
        "from": series.first.isoformat(),
        "to": series.last.isoformat(),
        "time_zone": time_zone,
        "supplementation_start": series.supplementation_start.isoformat() if series.supplementation_start else None,
        "loading_lag_days": series.loading_lag_days,
        "buckets": [_bucket_data(b) for b in series.buckets],
        "regimens": RegimenMarkOutput(series.regimens, many=True).data,
        "labs": LabOutput(series.labs, many=True).data,
    }


class WindowOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Last day, inclusive.")
    days = serializers.IntegerField()
    episodes = serializers.IntegerField()
    observed_days = serializers.IntegerField()
    rate_per_observed_day = serializers.FloatField(allow_null=True)
    rate_per_week = serializers.FloatField(allow_null=True)
    mean_severity = serializers.FloatField(allow_null=True)
    night_share = serializers.FloatField(allow_null=True)


class ComparisonOutput(serializers.Serializer):
    rate_ratio = serializers.FloatField(
        allow_null=True, help_text="After / before; null when neither window has an episode."
    )
    ci_low = serializers.FloatField()
    ci_high = serializers.FloatField(allow_null=True, help_text="Null means infinity (no episode before).")
    p_value = serializers.FloatField()
    method = serializers.CharField()


class LabPointOutput(serializers.Serializer):
    collected_on = serializers.DateField()
    value_ng_ml = serializers.FloatField()
    category = serializers.CharField()


class TreatmentResponseOutput(serializers.Serializer):
    start = serializers.DateField(allow_null=True)
    start_source = serializers.ChoiceField(choices=["regimen", "given", "none"])
    lag = serializers.DictField(
        allow_null=True, help_text="{start, end (inclusive), days}: left out of the comparison."
    )
    before = WindowOutput(allow_null=True)
    after = WindowOutput(allow_null=True)
    comparison = ComparisonOutput(allow_null=True)
    severity_change = serializers.FloatField(allow_null=True)
    adherence_after = serializers.FloatField(allow_null=True)
    vitamin_d_before = LabPointOutput(allow_null=True)
    vitamin_d_after = LabPointOutput(allow_null=True)
    verdict = serializers.ChoiceField(choices=stats.VERDICTS)
    sentence = serializers.CharField()


def _finite(value: float | None) -> float | None:
    return None if value is None or value == float("inf") else value


def _window(first, end_exclusive, window: stats.WindowStats) -> dict:
    return {
        "start": first,
        "end": end_exclusive - timedelta(days=1),
        "days": (end_exclusive - first).days,
        "episodes": window.episodes,
        "observed_days": window.observed_days,
        "rate_per_observed_day": window.rate_per_day,
        "rate_per_week": None if window.rate_per_day is None else window.rate_per_day * 7,
        "mean_severity": window.mean_severity,
        "night_share": window.night_share,
    }


def _lab(lab) -> dict | None:
    return (
        None
        if lab is None
        else {"collected_on": lab.collected_on, "value_ng_ml": lab.value_normalised, "category": lab.category}
    )


def treatment_response_data(result: trends.TreatmentResponseResult) -> dict:
    if result.response is None:
        return {
            "start": None, "start_source": "none", "lag": None, "before": None, "after": None, "comparison": None,
            "severity_change": None, "adherence_after": None, "vitamin_d_before": None, "vitamin_d_after": None,
            "verdict": stats.VERDICT_NOT_ENOUGH_DATA, "sentence": result.sentence,
        }  # fmt: skip
    w, r, c = result.windows, result.response, result.response.comparison
    return {
        "start": result.start,
        "start_source": result.start_source,
        "lag": {"start": w.lag_start, "end": w.lag_end - timedelta(days=1), "days": w.lag_days},
        "before": _window(w.before_start, w.before_end, r.before),
        "after": _window(w.after_start, w.after_end, r.after),
        "comparison": None
        if c is None
        else {
            "rate_ratio": _finite(c.rate_ratio),
            "ci_low": c.ci_low,
            "ci_high": _finite(c.ci_high),
            "p_value": c.p_value,
            "method": "exact conditional binomial test for two Poisson rates (as R's poisson.test)",
        },
        "severity_change": r.severity_change,
        "adherence_after": result.adherence_after.ratio if result.adherence_after else None,
        "vitamin_d_before": _lab(result.vitamin_d_before),
        "vitamin_d_after": _lab(result.vitamin_d_after),
        "verdict": r.verdict,
        "sentence": r.sentence,
    }


# --- views ------------------------------------------------------------------------------
def _today(patient) -> object:
    return timezone.localdate(timezone=patient.zone)


class SpasmSeriesApi(SubjectMixin, APIView):
    access_resource = "trends"

    @extend_schema(
        parameters=[
            OpenApiParameter("bucket", OpenApiTypes.STR, enum=list(trends.BUCKETS)),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ],
        responses=SeriesOutput,
        tags=["trends"],
    )
    def get(self, request, patient_id=None):
        """Spasm counts per day, week or month in the patient's own dates, with observed days,
        rates, severity, night-time counts and sun, vitamin D and adherence overlays."""
        patient = self.get_subject()
        query = SeriesQuery(data=request.query_params, context={"today": _today(patient)})
        query.is_valid(raise_exception=True)
        series = trends.spasm_series(
            patient=patient,
            bucket=query.validated_data["bucket"],
            first=query.validated_data["first"],
            last=query.validated_data["last"],
        )
        return Response(series_data(series, patient.time_zone))


class TreatmentResponseApi(SubjectMixin, APIView):
    access_resource = "treatment-response"

    @extend_schema(parameters=[TreatmentQuery], responses=TreatmentResponseOutput, tags=["trends"])
    def get(self, request, patient_id=None):
        """Did spasms become less frequent after supplementation started? Rates per observed
        day before and after (leaving out the loading lag), the exact rate ratio with its 95%
        interval and p-value, and a verdict in one plain sentence."""
        patient = self.get_subject()
        query = TreatmentQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            result = trends.treatment_response(patient=patient, today=_today(patient), **query.validated_data)
        except stats.WindowError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}, code="invalid_window") from None
        # Built explicitly by treatment_response_data (TreatmentResponseOutput documents it).
        return Response(treatment_response_data(result))


# --- clinician dashboard ----------------------------------------------------------------
class DashboardQuery(serializers.Serializer):
    ordering = serializers.ChoiceField(
        choices=dashboard.ORDERINGS,
        default="flags",
        help_text="Default: flagged patients first (most flags first), then by name.",
    )


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
    last_entry_date = serializers.DateField(allow_null=True)
    days_since_last_entry = serializers.IntegerField(allow_null=True)
    episodes_last_28_days = serializers.IntegerField(allow_null=True)
    episodes_previous_28_days = serializers.IntegerField(allow_null=True)
    verdict = serializers.ChoiceField(choices=stats.VERDICTS, allow_null=True)
    adherence_28_days = serializers.FloatField(allow_null=True)
    latest_vitamin_d = VitaminDOutput(allow_null=True)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=dashboard.FLAGS))


def dashboard_row_data(row: dashboard.DashboardRow) -> dict:
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
        "last_entry_date": summary.last_entry_date.isoformat() if summary and summary.last_entry_date else None,
        "days_since_last_entry": row.days_since_last_entry,
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


class DashboardPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ClinicianDashboardApi(APIView):
    permission_classes = [IsClinicianWithMFA]
    pagination_class = DashboardPagination

    @extend_schema(
        parameters=[DashboardQuery],
        responses=DashboardRowOutput(many=True),
        tags=["clinician"],
        operation_id="clinician_patients_list",
    )
    def get(self, request):
        """Every linked patient: last entry, episodes in the last 28 days against the 28
        before, the current verdict, 28-day adherence, the latest 25(OH)D and flags."""
        query = DashboardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = dashboard.dashboard_rows(clinician=request.user, ordering=query.validated_data["ordering"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([dashboard_row_data(row) for row in page])
