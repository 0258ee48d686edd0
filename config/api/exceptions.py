"""The errors services and selectors raise: plain Python, no DRF.

Services speak the domain ("this id is taken", "the amount is above the largest accepted
dose"); the one exception handler in `config.api.errors` turns each of these into the
API's error envelope. Tasks and management commands catch them like any exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class DomainError(Exception):
    """Base: an HTTP status, a stable machine-readable code and a message a person can read."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "invalid"
    message: ClassVar[str] = "The request cannot be carried out."

    def __init__(self, message: str | None = None, *, code: str | None = None, extra: Mapping[str, Any] | None = None):
        self.message = message or type(self).message
        self.code = code or type(self).code
        # More for the client beside the envelope's own keys (a conflict's stored row, say).
        self.extra: dict[str, Any] = dict(extra or {})
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input that parsed but breaks a rule: `fields` maps each field to its messages."""

    status = 400
    code = "invalid"
    message = "The request has invalid fields."

    def __init__(
        self,
        fields: Mapping[str, str | Sequence[str]] | None = None,
        *,
        message: str | None = None,
        code: str | None = None,
    ):
        self.fields: dict[str, list[str]] = {
            name: [messages] if isinstance(messages, str) else list(messages)
            for name, messages in (fields or {}).items()
        }
        if message is None and len(self.fields) == 1 and "non_field_errors" in self.fields:
            message = self.fields["non_field_errors"][0]
        super().__init__(message, code=code)

    @classmethod
    def field(cls, name: str, message: str, code: str = "invalid") -> ValidationFailed:
        """One field's error, keeping the rule's code (the sync answer and the PWA read it)."""
        error = cls({name: [message]})
        error.field_code = code
        return error

    field_code: str = "invalid"

    @classmethod
    def from_django(cls, error) -> ValidationFailed:
        """A model's full_clean() error (django.core.exceptions.ValidationError)."""
        if hasattr(error, "error_dict"):
            fields = {
                ("non_field_errors" if name == "__all__" else name): [m for e in errors for m in e.messages]
                for name, errors in error.error_dict.items()
            }
            return cls(fields)
        return cls({"non_field_errors": list(error.messages)}, code=getattr(error, "code", None) or "invalid")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Not found."


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    message = "You do not have permission to do this."


class Conflict(DomainError):
    """The id or the day is taken. `current` (the stored row, shaped for the API by the
    caller) is sent only when the row is the caller's own."""

    status = 409
    code = "conflict"
    message = "An entry with this id already exists with different content."

    def __init__(self, message: str | None = None, *, code: str | None = None, current: Any = None):
        super().__init__(message, code=code)
        self.current = current


class Gone(DomainError):
    status = 410
    code = "gone"
    message = "This is no longer available."
