"""The error envelope in the OpenAPI schema: every operation documents it for its error
statuses, so clients (and the schemathesis run) can rely on its shape."""

from __future__ import annotations

ERROR_STATUSES = {
    "400": "Invalid input: `fields` maps each field to its messages.",
    "401": "Not logged in.",
    "403": "Not allowed (for example `patient_only`, `clinician_only`, `mfa_required`).",
    "404": "Not found, or not yours to see.",
    "409": "Conflict: the id or the day is taken; `current` holds the stored row when it is yours.",
    "429": "Too many requests: `retry_after_seconds` says when to try again.",
}

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "fields"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string", "description": "Stable, machine-readable: switch on this."},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                "retry_after_seconds": {"type": "integer"},
                "current": {"type": "object", "description": "On a 409 for your own row: the stored row."},
            },
        }
    },
}


# Named schemas that a field's own schema refers to with "$ref" (a shape a serializer cannot
# declare, such as "this, or anything": see diary.apis' sync items). Registered at import.
EXTRA_COMPONENTS: dict[str, dict] = {}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorEnvelope"] = ERROR_ENVELOPE
    components.update(EXTRA_COMPONENTS)
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                existing = responses.get(status)
                if existing is None or "content" not in existing:
                    responses[status] = {
                        "description": (existing or {}).get("description") or description,
                        "content": reference,
                    }
    return result
