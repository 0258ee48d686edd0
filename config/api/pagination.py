from rest_framework.pagination import CursorPagination as _CursorPagination
from rest_framework.pagination import PageNumberPagination


class CursorPagination(_CursorPagination):
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


class DashboardPagination(PageNumberPagination):
    """The dashboard is sorted in Python (by flags, name, adherence...), so it pages by number:
    a page of 100 patients, up to 500 on request."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
