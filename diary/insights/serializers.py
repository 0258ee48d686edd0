"""Input and output shapes of the trend, treatment-response and adherence endpoints."""

from __future__ import annotations

import math
from datetime import timedelta

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import BoundedDateField, StrictQuery
from diary.insights import buckets, response, selectors, stats, windows
from diary.serializers import LabOutput

MAX_ADHERENCE_DAYS = 366
MODEL_NAMES = ("exact_poisson", "negative_binomial", "nb_trend", "nb_trend_sun", "before_trend")


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
    supplement = serializers.ChoiceField(
        choices=list(selectors.SUPPLEMENT_GROUPS),
        default="vitamin_d",
        help_text="Whose start is tested: the first regimen of this supplement (vitamin D by default).",
    )
    start = BoundedDateField(required=False, help_text="Default: the supplement's first regimen's start date.")
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
    reported_days = serializers.IntegerField(help_text="Days with any entry or an explicit 'no cramps today'.")
    episodes_per_reported_day = serializers.FloatField(allow_null=True)
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
        "reported_days": b.reported_days,
        "episodes_per_reported_day": b.episodes_per_reported_day,
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
    reported_days = serializers.IntegerField(
        help_text="Days with at least one episode or an explicit 'no cramps': the rate's denominator."
    )
    reported_share = serializers.FloatField(help_text="reported_days / days.")
    rate_per_reported_day = serializers.FloatField(allow_null=True)
    rate_per_week = serializers.FloatField(allow_null=True, help_text="rate_per_reported_day x 7.")
    mean_severity = serializers.FloatField(allow_null=True)
    night_share = serializers.FloatField(allow_null=True)


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "enum": ["Infinity"]}], "nullable": True})
class RatioOutput(serializers.Field):
    """A rate ratio: a number, or the string "Infinity" (cramps only after the start: the
    ratio is infinite, which JSON cannot write as a number). Null means not estimable."""

    def to_representation(self, value):
        return _ratio(value)


class ModelOutput(serializers.Serializer):
    name = serializers.ChoiceField(choices=MODEL_NAMES)
    family = serializers.ChoiceField(choices=["poisson_exact", "negative_binomial", "poisson"])
    rate_ratio = RatioOutput(help_text="exp(coefficient of after); before_trend: the change per week before the start.")
    ci_low = RatioOutput()
    ci_high = RatioOutput()
    p_value = serializers.FloatField(allow_null=True)
    theta = serializers.FloatField(allow_null=True, help_text="Negative binomial dispersion (ML, as MASS::glm.nb).")
    converged = serializers.BooleanField()
    n = serializers.IntegerField(help_text="Reported days the model was fitted on.")
    note = serializers.CharField(allow_blank=True)


class ComparisonOutput(serializers.Serializer):
    """The verdict's model (negative_binomial), as one object."""

    model = serializers.CharField()
    rate_ratio = RatioOutput()
    ci_low = RatioOutput()
    ci_high = RatioOutput()
    p_value = serializers.FloatField(allow_null=True)


class CaveatOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=response.CAVEATS)
    sentence = serializers.CharField()
    details = serializers.DictField()


class LabPointOutput(serializers.Serializer):
    collected_on = serializers.DateField()
    value_ng_ml = serializers.FloatField()
    category = serializers.CharField()


class TreatmentResponseOutput(serializers.Serializer):
    supplement = serializers.ChoiceField(choices=list(selectors.SUPPLEMENT_GROUPS))
    treatment = serializers.CharField(help_text="As the sentence names it: vitamin D, magnesium, the change.")
    start = serializers.DateField(allow_null=True)
    start_source = serializers.ChoiceField(choices=["regimen", "given", "none"])
    lag = serializers.DictField(
        allow_null=True, help_text="{start, end (inclusive), days}: left out of the comparison."
    )
    before = WindowOutput(allow_null=True)
    after = WindowOutput(allow_null=True)
    comparison = ComparisonOutput(allow_null=True)
    models = ModelOutput(many=True)
    severity_change = serializers.FloatField(allow_null=True)
    adherence_after = serializers.FloatField(
        allow_null=True, help_text="The tested supplement's slots in the after window, weighed by prescribed amount."
    )
    vitamin_d_before = LabPointOutput(allow_null=True)
    vitamin_d_after = LabPointOutput(allow_null=True)
    verdict = serializers.ChoiceField(choices=stats.VERDICTS)
    reason = serializers.ChoiceField(choices=response.REASONS, allow_null=True, help_text="Why not_enough_data.")
    sentence = serializers.CharField()
    caveats = CaveatOutput(many=True)


def _ratio(value: float | None) -> float | str | None:
    return "Infinity" if value == math.inf else value


def _window(first, end_exclusive, window: stats.WindowStats) -> dict:
    days = (end_exclusive - first).days
    return {
        "start": first,
        "end": end_exclusive - timedelta(days=1),
        "days": days,
        "episodes": window.episodes,
        "reported_days": window.reported_days,
        "reported_share": window.reported_days / days,
        "rate_per_reported_day": window.rate_per_day,
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


def _model(fit) -> dict:
    return {
        "name": fit.name,
        "family": fit.family,
        "rate_ratio": _ratio(fit.rate_ratio),
        "ci_low": _ratio(fit.ci_low),
        "ci_high": _ratio(fit.ci_high),
        "p_value": fit.p_value,
        "theta": fit.theta,
        "converged": fit.converged,
        "n": fit.n,
        "note": fit.note or "",
    }


def treatment_response_data(result: selectors.TreatmentResponseResult) -> dict:
    """The answer as TreatmentResponseOutput documents it, built explicitly."""
    w = result.windows
    primary = result.models.get(response.PRIMARY_MODEL)
    return {
        "supplement": result.supplement,
        "treatment": result.treatment,
        "start": result.start,
        "start_source": result.start_source,
        "lag": None if w is None else {"start": w.lag_start, "end": w.lag_end - timedelta(days=1), "days": w.lag_days},
        "before": None if w is None else _window(w.before_start, w.before_end, result.before),
        "after": None if w is None else _window(w.after_start, w.after_end, result.after),
        "comparison": None
        if primary is None
        else {
            "model": primary.name,
            "rate_ratio": _ratio(primary.rate_ratio),
            "ci_low": _ratio(primary.ci_low),
            "ci_high": _ratio(primary.ci_high),
            "p_value": primary.p_value,
        },
        "models": [_model(result.models[name]) for name in MODEL_NAMES if name in result.models],
        "severity_change": result.severity_change,
        "adherence_after": result.adherence_after,
        "vitamin_d_before": _lab(result.vitamin_d_before),
        "vitamin_d_after": _lab(result.vitamin_d_after),
        "verdict": result.assessment.verdict,
        "reason": result.assessment.reason,
        "sentence": result.assessment.sentence,
        "caveats": [{"code": c.code, "sentence": c.sentence, "details": c.details} for c in result.assessment.caveats],
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


# --- today's doses ----------------------------------------------------------------------------
class TodayRegimenOutput(serializers.Serializer):
    id = serializers.UUIDField()
    supplement = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit = serializers.CharField()
    frequency = serializers.CharField()
    phase = serializers.CharField()


class TodaySlotOutput(serializers.Serializer):
    regimen = TodayRegimenOutput()
    date = serializers.DateField(source="day")
    status = serializers.ChoiceField(choices=["taken", "skipped", "missed", "due"])
    overdue = serializers.BooleanField(help_text="From an earlier day and still open.")
    dose_id = serializers.UUIDField(allow_null=True, help_text="The dose that filled the slot.")
    taken_id = serializers.UUIDField(
        help_text="Use as the id of the dose a Taken tap logs (POST /diary/doses or /diary/sync): one per slot."
    )
    skip_id = serializers.UUIDField(help_text="Use as the id of the skip a Skip tap logs: one per slot.")
