"""The visit report, as HTML (print CSS for A4 and Letter) and as a PDF rendered on the
server, for the patient and (access-logged) a linked clinician."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from accounts.scoping import SubjectMixin
from diary.reports import context, selectors
from diary.reports.serializers import ReportQuery

_PARAMETERS = [ReportQuery]  # the query's own fields: their bounds are in the schema


class AnswerInAnyCase(BaseContentNegotiation):
    """The page is HTML or PDF whatever the client's Accept says; errors stay JSON (the
    envelope), rather than a 406 for a browser or a share sheet asking for application/pdf."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class VisitReportMixin(SubjectMixin):
    access_resource = "visit-report"
    content_negotiation_class = AnswerInAnyCase

    def build(self, request) -> tuple[dict, dict]:
        patient = self.get_subject()
        query = ReportQuery(data=request.query_params, context={"today": patient.local_today()})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        report = selectors.visit_report(
            patient=patient, first=params["first"], last=params["last"], today=patient.local_today()
        )
        return context.report_context(report, viewer=request.user, paper=params["paper"]), params


class VisitReportHtmlApi(VisitReportMixin, APIView):
    @extend_schema(
        parameters=_PARAMETERS,
        responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="One printable page")},
        tags=["reports"],
    )
    def get(self, request, patient_id=None):
        """The one-page visit report as HTML: print it, or open the PDF."""
        data, _ = self.build(request)
        data["csp_nonce"] = str(request.csp_nonce)  # evaluated here, so the CSP header carries it
        return HttpResponse(context.render_html(data), content_type="text/html; charset=utf-8")


class VisitReportPdfApi(VisitReportMixin, APIView):
    @extend_schema(
        parameters=_PARAMETERS,
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="One page")},
        tags=["reports"],
    )
    def get(self, request, patient_id=None):
        """The same page as a PDF, rendered on the server (WeasyPrint)."""
        data, params = self.build(request)
        pdf, seconds = context.render_pdf(context.render_html(data))
        response = HttpResponse(pdf, content_type="application/pdf")
        name = context.filename(data["patient"], params["first"], params["last"], "pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Server-Timing"] = f"pdf;dur={seconds * 1000:.0f}"
        return response
