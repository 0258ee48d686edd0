"""The clinician dashboard: every linked patient, flagged patients first."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from accounts.permissions import IsClinicianWithMFA
from config.api.pagination import DashboardPagination
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
        rows = selectors.dashboard_rows(clinician=request.user, **query.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([dashboard_row_data(row) for row in page])
