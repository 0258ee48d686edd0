"""The clinician dashboard: every linked patient, flagged patients first."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from accounts.permissions import IsClinicianWithMFA
from accounts.services import access_events_record
from config.api.pagination import DashboardPagination
from config.client_ip import client_ip
from diary.dashboard import selectors
from diary.dashboard.serializers import DashboardQuery, DashboardRowOutput, dashboard_row_data


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
        """Every linked patient: the last reported day, episodes in the last 28 days against
        the 28 before, the current verdict, 28-day vitamin D adherence (weighed by prescribed
        IU), the latest 25(OH)D and the flags, each with its date. Filter by `flag`, search
        by name or email."""
        query = DashboardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        values = paginator.paginate_queryset(
            selectors.dashboard_rows(clinician=request.user, **query.validated_data), request, view=self
        )
        page = selectors.page_rows(values)
        # Each row shows a patient's name, email, date of birth, counts, verdict, adherence
        # and latest 25(OH)D: a read of that patient's data, logged like any other (one
        # event per patient on this page, one INSERT for all of them).
        access_events_record(
            clinician=request.user,
            patient_ids=[row.patient_id for row in page],
            resource="dashboard",
            ip_address=client_ip(request),
        )
        return paginator.get_paginated_response([dashboard_row_data(row) for row in page])
