"""Trend, treatment-response and adherence endpoints, for the patient and (read only,
access-logged) a linked clinician."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scoping import SubjectMixin
from config.api.fields import QUERY_DATE_MIN
from diary.insights import selectors, windows
from diary.insights.serializers import (
    AdherenceOutput,
    AdherenceQuery,
    SeriesOutput,
    SeriesQuery,
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
        """Spasm counts per day, week or month in the patient's own dates, with observed days,
        rates, severity, night-time counts and sun, vitamin D and adherence overlays."""
        patient = self.get_subject()
        query = SeriesQuery(data=request.query_params, context={"today": patient.local_today()})
        query.is_valid(raise_exception=True)
        series = selectors.spasm_series(
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
            result = selectors.treatment_response(patient=patient, today=patient.local_today(), **query.validated_data)
        except windows.WindowError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}, code="invalid_window") from None
        # Built explicitly by treatment_response_data (TreatmentResponseOutput documents it).
        return Response(treatment_response_data(result))


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
