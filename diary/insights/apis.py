"""Trend, treatment-response and adherence endpoints, for the patient and (read only,
access-logged) a linked clinician."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient
from accounts.scoping import SubjectMixin
from config.api.fields import QUERY_DATE_MIN
from diary.insights import cache, response, selectors, windows
from diary.insights.serializers import (
    AdherenceOutput,
    AdherenceQuery,
    SeriesOutput,
    SeriesQuery,
    TodaySlotOutput,
    TreatmentQuery,
    TreatmentResponseOutput,
    series_data,
    treatment_response_data,
)

ADHERENCE_DEFAULT_WEEKS = 12


# --- views ------------------------------------------------------------------------------
class SpasmSeriesApi(SubjectMixin, APIView):
    access_resource = "trends"

    @extend_schema(parameters=[SeriesQuery], responses=SeriesOutput, tags=["trends"])
    def get(self, request, patient_id=None):
        """Spasm counts per day, week or month in the patient's own dates, with reported days,
        rates, severity, night-time counts and sun, vitamin D and adherence overlays."""
        patient = self.get_subject()
        today = patient.local_today()
        query = SeriesQuery(data=request.query_params, context={"today": today})
        query.is_valid(raise_exception=True)
        bucket, first, last = (query.validated_data[k] for k in ("bucket", "first", "last"))

        def compute() -> dict:
            series = selectors.spasm_series(patient=patient, bucket=bucket, first=first, last=last)
            return series_data(series, patient.time_zone)

        # Cached until the diary changes (diary.insights.cache); "today" is in the key because
        # adherence and the default span depend on it, the zone because the dates do.
        return Response(cache.cached(patient.id, ("series", bucket, first, last, today, patient.time_zone), compute))


class TreatmentResponseApi(SubjectMixin, APIView):
    access_resource = "treatment-response"

    @extend_schema(parameters=[TreatmentQuery], responses=TreatmentResponseOutput, tags=["trends"])
    def get(self, request, patient_id=None):
        """Did cramps become less frequent after the supplement was started? Rates per reported
        day before and after (leaving out the loading lag); every model's rate ratio, 95%
        interval and p-value (exact Poisson, negative binomial, with trend, with trend and sun,
        and the trend before the start); the verdict from the negative binomial model, its
        caveats, and one plain sentence (to the patient: "you"; to a clinician: the patient's
        name). A diary where it is too early to tell answers not_enough_data, reason too_early."""
        patient = self.get_subject()
        query = TreatmentQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        audience = response.Audience(clinician=self.read_by_clinician, patient_name=patient.name)
        today = patient.local_today()
        params = tuple(sorted(query.validated_data.items()))

        def compute() -> dict:
            try:
                result = selectors.treatment_response(
                    patient=patient, today=today, audience=audience, **query.validated_data
                )
            except windows.WindowError as exc:
                raise serializers.ValidationError({exc.field: [exc.message]}, code="invalid_window") from None
            # Built explicitly by treatment_response_data (TreatmentResponseOutput documents it).
            return treatment_response_data(result)

        # Cached until the diary changes; the key holds everything the answer depends on.
        key = ("treatment-response", today, params, audience.clinician, patient.name, patient.time_zone)
        return Response(cache.cached(patient.id, key, compute))


# --- adherence ----------------------------------------------------------------------------
class AdherenceApi(SubjectMixin, APIView):
    access_resource = "adherence"

    @extend_schema(
        parameters=[AdherenceQuery], responses=AdherenceOutput, tags=["adherence"], operation_id="adherence_retrieve"
    )
    def get(self, request, patient_id=None):
        """Doses scheduled by each regimen against doses taken, by ISO week."""
        # Whose data first: a clinician without a link gets the 404, whatever the query says.
        patient = self.get_subject()
        query = AdherenceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = patient.local_today()
        until = query.validated_data.get("until") or today
        since = query.validated_data.get("since")
        if since is None:
            monday = until - timedelta(days=until.weekday())
            since = max(min(monday - timedelta(weeks=ADHERENCE_DEFAULT_WEEKS - 1), until), QUERY_DATE_MIN)
        AdherenceQuery(data={"since": since, "until": until}).is_valid(raise_exception=True)
        regimens = selectors.regimen_adherence_by_week(patient_ids=[patient.id], since=since, until=until, today=today)[
            patient.id
        ]
        return Response(
            AdherenceOutput({"patient_id": patient.id, "since": since, "until": until, "regimens": regimens}).data
        )


class ClinicianAdherenceApi(AdherenceApi):
    @extend_schema(
        parameters=[AdherenceQuery],
        responses=AdherenceOutput,
        tags=["adherence"],
        operation_id="clinician_adherence_retrieve",
    )
    def get(self, request, patient_id=None):
        return super().get(request, patient_id)


# --- today's doses ----------------------------------------------------------------------------
class TodayDosesApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=TodaySlotOutput(many=True), tags=["adherence"], operation_id="doses_today")
    def get(self, request):
        """Today's scheduled doses and those still open from yesterday (or a weekly dose within
        its 3 days), each taken, skipped, missed or due. A Taken tap logs a dose with the
        slot's `taken_id` and the regimen's amount; Skip logs a skip with `skip_id`: both
        idempotent, so they can wait in an offline outbox."""
        slots = selectors.todays_slots(patient=request.user, today=request.user.local_today())
        return Response(TodaySlotOutput(slots, many=True).data)
