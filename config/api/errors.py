"""One error envelope for the whole API.

Every error answers::

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": ["..."]}}}

`code` is machine-readable and stable (the PWA switches on it); `fields` maps a field
path to its messages (nested paths are joined with dots, list items by index) and is
empty when the error is not about a field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.api.exceptions import Conflict, DomainError, ValidationFailed

_DEFAULT_MESSAGES = {
    400: "The request has invalid fields.",
}


def flatten_field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"a.b.0.c": ["msg", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_field_errors(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, value in enumerate(detail):
                if value:
                    out.update(flatten_field_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _first_code(detail: Any) -> str | None:
    if isinstance(detail, dict):
        for value in detail.values():
            code = _first_code(value)
            if code:
                return code
    elif isinstance(detail, list):
        for value in detail:
            code = _first_code(value)
            if code:
                return code
    elif isinstance(detail, exceptions.ErrorDetail):
        return detail.code
    return None


def _details(errors: list[DjangoValidationError]) -> list[exceptions.ErrorDetail]:
    return [
        exceptions.ErrorDetail(message, code=error.code or "invalid") for error in errors for message in error.messages
    ]


def django_error_detail(exc: DjangoValidationError) -> dict[str, list[exceptions.ErrorDetail]]:
    """A model's full_clean() error as DRF detail, keeping each error's code."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): _details(errors)
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": _details(exc.error_list)}


def envelope(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"status": status_code, "code": code, "message": message, "fields": fields or {}}}


def domain_error_response(exc: DomainError, context: dict) -> Response:
    """A service's exception as the envelope. A conflict's stored row is shaped by the view
    that raised it (`conflict_output`), since only the view knows the API's shape of it."""
    if isinstance(exc, ValidationFailed):
        body = envelope(exc.status, exc.code, exc.message, exc.fields)
    else:
        body = envelope(exc.status, exc.code, exc.message)
    body["error"].update(exc.extra)
    if isinstance(exc, Conflict) and exc.current is not None:
        output = getattr(context.get("view"), "conflict_output", None)
        if output is not None:
            body["error"]["current"] = dict(output(exc.current).data)
    return Response(body, status=exc.status)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return domain_error_response(exc, context)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_error_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django answer 500 and log it

    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_field_errors(exc.detail)
        non_field = fields.get("non_field_errors")
        code = _first_code(exc.detail) or "invalid"
        # Field-level codes ("required", "max_length") describe a field; the envelope's
        # code names the kind of failure, so keep a service's own non-field code when set.
        body = envelope(
            status.HTTP_400_BAD_REQUEST,
            code if non_field and code != "invalid" else "invalid",
            non_field[0] if non_field and len(fields) == 1 else _DEFAULT_MESSAGES[400],
            fields,
        )
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        if isinstance(detail, dict):
            message = str(detail.get("detail", detail.get("message", exc.default_detail)))
            code = getattr(detail.get("detail"), "code", code)
        else:
            message = str(detail)
        body = envelope(response.status_code, str(code), message)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["error"]["retry_after_seconds"] = int(exc.wait)
        # An exception may carry more for the client (a conflict's stored row, say).
        body["error"].update(getattr(exc, "extra", {}) or {})
    response.data = body
    return response
