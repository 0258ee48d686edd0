"""The API's one JSON parser: config.api.jsonguard's checks, in the envelope's terms."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config.api.jsonguard import BadJSON, parse_json_body

# Set by config.middleware.JSONGuardMiddleware on the Django request it already parsed.
GUARDED_ATTRIBUTE = "guarded_json"


class GuardedJSONParseError(ParseError):
    def __init__(self, error: BadJSON):
        super().__init__(error.message, code=error.code)
        self.extra = {"fields": {error.path: [error.message]}} if error.path else {}


class GuardedJSONParser(JSONParser):
    """DRF's JSONParser with depth, text and encoding checks. The middleware has usually
    parsed the body already (the same checks): its result is reused, not parsed twice."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        request = (parser_context or {}).get("request")
        django_request = getattr(request, "_request", None)
        if django_request is not None and hasattr(django_request, GUARDED_ATTRIBUTE):
            return getattr(django_request, GUARDED_ATTRIBUTE)
        raw = stream.read() if stream is not None else b""
        try:
            return parse_json_body(raw)
        except BadJSON as exc:
            raise GuardedJSONParseError(exc) from None
