from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination as _CursorPagination
from rest_framework.pagination import PageNumberPagination


class StrictPageSize:
    """page_size from 1 to max_page_size, or the parameter left out: DRF's own falls back to
    the default for "abc", 0 or -1, so a typo silently changed the page."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        value = raw[-1]
        if len(raw) > 1 or not value.isascii() or not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}, once."]}
            )
        return int(value)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class CursorPagination(StrictPageSize, _CursorPagination):
    """Stable pages while a phone syncs new rows in: cursor, not offset.

    A view names its order in `pagination_ordering`; the last field should be unique
    enough to break ties (created_at, id).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-created_at",)

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "pagination_ordering", None)
        return tuple(ordering) if ordering else super().get_ordering(request, queryset, view)


class DashboardPagination(StrictPageSize, PageNumberPagination):
    """The dashboard is sorted in Python (by flags, name, adherence...), so it pages by number:
    a page of 100 patients, up to 500 on request."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
