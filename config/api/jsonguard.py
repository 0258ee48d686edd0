"""One guard in front of every JSON parser: the API's (DRF) and allauth headless's, which
reads request.body itself.

Python's json module turns a body of 100,000 opening brackets into a RecursionError, and
happily decodes "\\ud800" (a lone UTF-16 surrogate) or "\\u0000" into a str that no
database column can store: each of those was a 500 somewhere further in. `parse_json_body`
refuses them up front, so the code behind it only ever sees text PostgreSQL accepts,
nested no deeper than `MAX_DEPTH`.

Plain Python, no DRF: the middleware (config.middleware) and the DRF parser
(config.api.parsers) both call it.
"""

from __future__ import annotations

import json
from typing import Any

# Deeper than any body this API or allauth takes (a sync batch is 4 levels deep), far below
# the interpreter's recursion limit that serializers, renderers and error flattening hit.
MAX_DEPTH = 64


class BadJSON(Exception):
    """A body the API refuses before parsing it any further."""

    def __init__(self, message: str, *, code: str = "parse_error", path: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.path = path  # where in the document, dotted ("items.3.id"), when known


def _refuse_constant(name: str) -> Any:
    raise BadJSON(f"{name} is not valid JSON.")


def _bad_text(value: str) -> bool:
    # A lone surrogate cannot be encoded as UTF-8 (PostgreSQL's encoding), and PostgreSQL's
    # text type cannot hold NUL. A well-formed surrogate pair never reaches here: json
    # combines "\ud83d\ude00" into one code point.
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_tree(data: Any) -> None:
    """Depth and text of every node, without recursion (the document may be deep)."""
    stack: list[tuple[Any, int, tuple]] = [(data, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict | list) and depth > MAX_DEPTH:
            raise BadJSON(f"JSON nested deeper than {MAX_DEPTH} levels is not accepted.", code="too_deep")
        if isinstance(node, dict):
            for key, value in node.items():
                if _bad_text(key):
                    raise BadJSON(_TEXT_MESSAGE, code="invalid_text", path=_dotted(path))
                stack.append((value, depth + 1, (*path, key)))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                stack.append((value, depth + 1, (*path, index)))
        elif isinstance(node, str) and _bad_text(node):
            raise BadJSON(_TEXT_MESSAGE, code="invalid_text", path=_dotted(path))


_TEXT_MESSAGE = "Text must be valid Unicode without NUL characters or lone surrogates (such as \\ud800)."


def _dotted(path: tuple) -> str | None:
    return ".".join(str(part) for part in path) or None


def parse_json_body(raw: bytes) -> Any:
    """The parsed document, or BadJSON. JSON is UTF-8 (RFC 8259); anything else is refused."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadJSON("The body is not UTF-8 text.", code="invalid_text") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise BadJSON(f"JSON nested deeper than {MAX_DEPTH} levels is not accepted.", code="too_deep") from None
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4,300 digits
        raise BadJSON(f"The body is not valid JSON: {exc}") from None
    _check_tree(data)
    return data


def bad_text(value: str) -> bool:
    """Whether a string is one PostgreSQL cannot store (for values that arrive outside a
    JSON body: form fields, query parameters)."""
    return _bad_text(value)
