"""Input and output shapes of the trend, treatment-response and adherence endpoints."""

from __future__ import annotations

from datetime import timedelta

from rest_framework import serializers

from config.api.fields import BoundedDateField, StrictQuery
from diary.insights import buckets, selectors, stats, windows
from diary.serializers import LabOutput

MAX_ADHERENCE_DAYS = 366


# --- input ------------------------------------------------------------------------------
class SeriesQuery(StrictQuery):
    bucket = serializers.ChoiceField(choices=buckets.BUCKETS, default="week")
    to = BoundedDateField(required=False, help_text="To (local date, inclusive). Default: today.")

    def get_fields(self):
        # `from` is a Python keyword, so it cannot be declared as an attribute.
        return {
            **super().get_fields(),
            "from": BoundedDateField(required=False, help_text="From (local date, inclusive)."),
        }

    def validate(self, attrs):
        today = self.context["today"]
        bucket = attrs["bucket"]
        last = attrs.get("to") or today
        first = attrs.get("from") or (last - timedelta(days=buckets.DEFAULT_SPAN_DAYS[bucket] - 1))
        if first > last:
            raise serializers.ValidationError({"from": ["'from' is after 'to'."]}, code="invalid")
        if (
            len(buckets.bucket_spans(first, min(last, first + timedelta(days=400 * 31)), bucket))
            > buckets.MAX_BUCKETS[bucket]
        ):
            raise serializers.ValidationError(
                {"from": [f"At most {buckets.MAX_BUCKETS[bucket]} {bucket} buckets at once; use a larger bucket."]},
                code="too_many_buckets",
            )
        return {"bucket": bucket, "first": first, "last": last}


class TreatmentQuery(StrictQuery):
    start = BoundedDateField(required=False, help_text="Default: the first vitamin D regimen's start date.")
    before_days = serializers.IntegerField(min_value=1, max_value=365, default=windows.DEFAULT_BEFORE_DAYS)
    lag_days = serializers.IntegerField(min_value=0, max_value=windows.MAX_LAG_DAYS, default=windows.DEFAULT_LAG_DAYS)
    before_start = BoundedDateField(required=False)
    after_start = BoundedDateField(required=False)
    after_end = BoundedDateField(required=False, help_text="Last day of the after window (inclusive). Default: today.")


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

    bucket = serializers.ChoiceField(choices=buckets.BUCKETS)
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


def _bucket_data(b: selectors.Bucket) -> dict:
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


def series_data(series: selectors.Series, time_zone: str) -> dict:
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


def treatment_response_data(result: selectors.TreatmentResponseResult) -> dict:
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
        "adherence_after": result.adherence_after,
        "vitamin_d_before": _lab(result.vitamin_d_before),
        "vitamin_d_after": _lab(result.vitamin_d_after),
        "verdict": r.verdict,
        "sentence": r.sentence,
    }


# --- adherence ----------------------------------------------------------------------------
class AdherenceQuery(StrictQuery):
    since = BoundedDateField(required=False, help_text="Local date, inclusive. Default: 12 weeks back.")
    until = BoundedDateField(required=False, help_text="Local date, inclusive. Default: today.")

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until:
            if since > until:
                raise serializers.ValidationError({"since": ["since is after until."]}, code="invalid")
            if until - since > timedelta(days=MAX_ADHERENCE_DAYS):
                raise serializers.ValidationError(
                    {"since": [f"Ask for at most {MAX_ADHERENCE_DAYS} days at a time."]}, code="invalid"
                )
        return attrs


class AdherenceWeekOutput(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W07.")
    week_start = serializers.DateField()
    scheduled = serializers.IntegerField()
    taken = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class RegimenAdherenceOutput(serializers.Serializer):
    # Reads a selectors.RegimenAdherence: the regimen's fields, then its slots' tally.

    regimen_id = serializers.UUIDField(source="regimen.id")
    supplement = serializers.CharField(source="regimen.supplement")
    amount = serializers.DecimalField(max_digits=12, decimal_places=3, source="regimen.amount")
    unit = serializers.CharField(source="regimen.unit")
    frequency = serializers.CharField(source="regimen.frequency")
    weekdays = serializers.ListField(child=serializers.IntegerField(), source="regimen.weekdays")
    start_date = serializers.DateField(source="regimen.start_date")
    end_date = serializers.DateField(allow_null=True, source="regimen.end_date")
    scheduled = serializers.IntegerField()
    taken = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    weeks = AdherenceWeekOutput(many=True)


class AdherenceOutput(serializers.Serializer):
    patient_id = serializers.UUIDField()
    since = serializers.DateField()
    until = serializers.DateField()
    regimens = RegimenAdherenceOutput(many=True)
