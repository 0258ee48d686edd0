from __future__ import annotations

import logging
import os

from django.db import connection
from django.http import HttpRequest, JsonResponse

from config.middleware import error_response

log = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "not answering"
        log.exception("healthz: database check failed")
        return False


def _broker_ok() -> bool:
    from config.celery_app import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.default_channel
            if conn.transport.driver_type == "filesystem":
                # The filesystem transport "connects" and opens a channel without touching
                # the disk; make it prove its folders are there and writable.
                for folder in {channel.data_folder_in, channel.data_folder_out}:
                    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
                        raise OSError(f"broker folder {folder!r} is missing or not writable")
        return True
    except Exception:
        log.exception("healthz: broker check failed")
        return False


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    failing = [name for name, ok in checks.items() if not ok]
    body = {
        "status": "ok" if not failing else "unavailable",
        "checks": {k: "ok" if v else "down" for k, v in checks.items()},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def api_not_found(request: HttpRequest, exception=None) -> JsonResponse:
    # JSON for the two JSON APIs: the envelope under /api/, allauth's own shape (its NotFound
    # response is {"status": 404}) under /_allauth/, which allauth's SPA clients parse.
    if request.path.startswith(("/api/", "/_allauth/")):
        return error_response(request, 404, "not_found", "Not found.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def api_server_error(request: HttpRequest) -> JsonResponse:
    if request.path.startswith(("/api/", "/_allauth/")):
        return error_response(request, 500, "server_error", "Something went wrong on our side.")
    from django.views.defaults import server_error

    return server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """A refused CSRF check in the shape the client reads (allauth's browser client posts
    JSON and reads JSON), instead of Django's HTML page."""
    if request.path.startswith(("/api/", "/_allauth/")):
        return error_response(request, 403, "csrf_failed", f"CSRF check failed: {reason or 'no valid token'}.")
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)
