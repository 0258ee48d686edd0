"""Middleware in front of the API and allauth headless: the JSON guard and the headers
every response carries."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from config.api.errors import envelope
from config.api.jsonguard import BadJSON, parse_json_body
from config.api.parsers import GUARDED_ATTRIBUTE

API_PREFIX = "/api/"
ALLAUTH_PREFIX = "/_allauth/"
_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$", re.IGNORECASE)
# allauth's own rate limits are per minute or per few minutes; a 429 that arrives without
# a Retry-After (allauth's, or anyone's) gets this one, so every 429 tells the client when.
DEFAULT_RETRY_AFTER_SECONDS = 60


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def is_allauth_path(path: str) -> bool:
    return path.startswith(ALLAUTH_PREFIX)


def error_response(request: HttpRequest, status: int, code: str, message: str, param: str | None = None):
    """An error in the shape the client of this path parses: the API's envelope under
    /api/, allauth's {"status", "errors": [...]} under /_allauth/ (its SPA clients read that)."""
    if is_allauth_path(request.path_info):
        error = {"message": message, "code": code}
        if param:
            error["param"] = param
        return JsonResponse({"status": status, "errors": [error]}, status=status)
    return JsonResponse(envelope(status, code, message, {param: [message]} if param else None), status=status)


def body_limit(path: str) -> int:
    """Bytes a request body may have on this path: the offline sync batch carries up to 500
    entries, an import upload a file of up to IMPORT_MAX_BYTES (and its multipart framing),
    every other endpoint one row or one form."""
    if path == settings.API_SYNC_PATH:
        return settings.API_SYNC_BODY_MAX_BYTES
    if path == settings.API_IMPORT_PATH:
        return settings.IMPORT_MAX_BYTES + 64 * 1024
    return settings.API_BODY_MAX_BYTES


class JSONGuardMiddleware:
    """Refuses, before any view or parser sees them, bodies under /api/ and /_allauth/ that
    are too large, not UTF-8, not JSON, nested deeper than 64 levels, or holding text the
    database cannot store. DRF's parser (config.api.parsers) reuses the parsed document.

    allauth parses request.body as JSON whatever its Content-Type, so every allauth body is
    checked, and must be a JSON object (allauth answers an HTML 400 to anything else)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if is_api_path(path) or is_allauth_path(path):
            refusal = self.check(request, path)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def check(self, request: HttpRequest, path: str) -> HttpResponse | None:
        if is_allauth_path(path):
            refusal = allauth_method_not_allowed(request)
            if refusal is not None:
                return refusal
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(path)
        if length > limit:
            return error_response(
                request, 413, "too_large", f"The request body is larger than {limit:,} bytes; send less at once."
            )
        if length <= 0 or request.method == "GET":
            return None
        allauth = is_allauth_path(path)
        if not allauth and not _JSON_TYPE.match(request.content_type or ""):
            return None  # DRF answers 415 for a type it has no parser for
        try:
            raw = request.body
        except RequestDataTooBig:
            return error_response(request, 413, "too_large", "The request body is too large.")
        try:
            data = parse_json_body(raw)
        except BadJSON as exc:
            return error_response(request, 400, exc.code, exc.message, exc.path)
        if allauth and not isinstance(data, dict):
            return error_response(request, 400, "parse_error", "Send a JSON object.")
        setattr(request, GUARDED_ATTRIBUTE, data)
        return None


def allauth_method_not_allowed(request: HttpRequest) -> HttpResponse | None:
    """allauth's views validate the body before Django's method check, so a method they do
    not serve (PUT on login, TRACE anywhere) answered 400 with field errors: 405 instead."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None:
        return None
    allowed = {name for name in view_class.http_method_names if hasattr(view_class, name)}
    if "get" in allowed:
        allowed.add("head")
    if request.method.lower() in allowed:
        return None
    response = error_response(request, 405, "method_not_allowed", f"Method {request.method} is not allowed here.")
    response["Allow"] = ", ".join(sorted(name.upper() for name in allowed))
    return response


class SecurityHeadersMiddleware:
    """Headers django-csp and SecurityMiddleware do not set:

    - Permissions-Policy: the app uses none of these browser features;
    - Cache-Control: no-store on /api/ and /_allauth/ (health data and session state must
      not sit in shared or browser HTTP caches; the service worker keeps its own copy of the
      patient's own reads for offline use);
    - Retry-After on every 429 that lacks one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.permissions_policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.permissions_policy)
        path = request.path_info
        if is_api_path(path) or is_allauth_path(path):
            response["Cache-Control"] = "no-store"
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(DEFAULT_RETRY_AFTER_SECONDS)
        return response
