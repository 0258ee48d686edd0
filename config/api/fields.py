"""Input fields and a serializer base that make the API take what its OpenAPI schema says,
and nothing else.

DRF's fields are forgiving: a BooleanField takes 0, "yes" and "on", an IntegerField takes
"7", a UUIDField takes an integer, a CharField turns 5 into "5". The schema says boolean,
integer, string: schemathesis found those requests accepted, and clients relying on them
would break the day the API is strict. `StrictInput` refuses a value of the wrong JSON type
before any field converts it. The fields below carry their own schema (a pattern), so the
OpenAPI document and the parser are one definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# --- JSON types ---------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_type_problem(field: serializers.Field, value: Any) -> str | None:
    """What is wrong with the JSON type of `value` for `field`, or None. Null is left to
    the field (allow_null decides)."""
    if value is None:
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Expected true or false."
    if isinstance(field, serializers.IntegerField):
        whole = _is_number(value) and float(value).is_integer()
        return None if whole else "Expected a whole number."
    if isinstance(field, serializers.FloatField):
        return None if _is_number(value) else "Expected a number."
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        if not isinstance(value, list):
            return "Expected a list."
        child = getattr(field, "child", None)
        if child is not None:
            for item in value:
                problem = json_type_problem(child, item)
                if problem:
                    return problem
        return None
    if isinstance(field, serializers.DictField | serializers.Serializer):
        return None if isinstance(value, Mapping) else "Expected an object."
    if isinstance(field, serializers.JSONField):
        return None
    if isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.DecimalField
        | serializers.DateField
        | serializers.DateTimeField
        | serializers.TimeField
        | serializers.UUIDField,
    ):
        return None if isinstance(value, str) else "Expected a string."
    return None


class StrictInput(serializers.Serializer):
    """Base of every JSON body's serializer: a value of the wrong JSON type is refused
    (400, on that field), never coerced."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {
                name: [problem]
                for name, field in self.fields.items()
                if not field.read_only
                and field.field_name in data
                and (problem := json_type_problem(field, data[field.field_name]))
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# --- clock times ----------------------------------------------------------------------------
CLOCK_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
_CLOCK_TIME_INPUT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:00)?$")


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:00)?$",
        "example": "08:00",
        "description": "A wall-clock time, HH:MM (24 h), in the patient's own zone.",
    }
)
class ClockTimeField(serializers.TimeField):
    """HH:MM, 24 h, whole minutes (":00" seconds are tolerated on input). Not OpenAPI's
    `format: time`, which is RFC 3339's HH:MM:SS with an offset: these times have no zone
    of their own, they are read in the patient's."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> time:
        match = _CLOCK_TIME_INPUT.match(value) if isinstance(value, str) else None
        if match is None:
            raise serializers.ValidationError("Use a 24-hour time as HH:MM, for example 08:00.", code="invalid")
        return time(int(match.group(1)), int(match.group(2)))


@extend_schema_field({"type": "string", "pattern": CLOCK_TIME_PATTERN, "example": "08:00"})
class ClockTimeOutputField(serializers.TimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)


# --- decimals as strings ----------------------------------------------------------------------
class DecimalStringField(serializers.DecimalField):
    """A non-negative decimal sent as a string of digits, such as "1000" or "2.5": what the
    schema's pattern says, exactly (no exponent, no sign, no blank, no bare point). JSON
    numbers are refused by StrictInput: a float cannot carry "0.1" exactly."""

    def __init__(self, *, max_digits: int, decimal_places: int, pattern: str | None = None, **kwargs):
        whole = max_digits - decimal_places
        self.pattern = pattern or rf"^\d{{1,{whole}}}(\.\d{{1,{decimal_places}}})?$"
        self._regex = re.compile(self.pattern)
        kwargs.setdefault("min_value", 0)
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def validate_empty_values(self, data: Any):
        # DRF's DecimalField reads "" as null when null is allowed; the schema says null is
        # null and "" is not a decimal.
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not self._regex.match(data):
            raise serializers.ValidationError(
                'Send the amount as a string of digits with an optional decimal point, such as "2.5".',
                code="invalid",
            )
        return super().to_internal_value(data)


class DecimalStringSchema(OpenApiSerializerFieldExtension):
    """The schema of a DecimalStringField is its own pattern (drf-spectacular's default
    pattern for decimals also matched "", "-" and ".")."""

    target_class = DecimalStringField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        return {"type": "string", "format": "decimal", "pattern": self.target.pattern}


# --- query strings --------------------------------------------------------------------------
def query_problems(data: Any, names: list[str]) -> dict[str, list[str]]:
    """A parameter given empty (`?to=`) or twice (`?bucket=day&bucket=week`) is refused: the
    schema says a date, one value, and the API used to ignore the empty one and silently pick
    one of the two."""
    problems: dict[str, list[str]] = {}
    getlist = getattr(data, "getlist", None)
    for name in names:
        if getlist is None or name not in data:
            continue
        values = getlist(name)
        if len(values) > 1:
            problems[name] = ["Give this parameter once."]
        elif values and values[0] == "":
            problems[name] = ["Give a value, or leave the parameter out."]
    return problems


class StrictQuery(serializers.Serializer):
    """Base of the query-string serializers (see query_problems)."""

    def to_internal_value(self, data: Any) -> Any:
        problems = query_problems(data, list(self.fields))
        if problems:
            raise serializers.ValidationError(problems)
        return super().to_internal_value(data)


# --- dates the window arithmetic can hold ---------------------------------------------------
QUERY_DATE_MIN = date(1900, 1, 1)
QUERY_DATE_MAX = date(2100, 12, 31)
QUERY_DATE_PATTERN = r"^(19\d\d|20\d\d|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


@extend_schema_field({"type": "string", "format": "date", "pattern": QUERY_DATE_PATTERN})
class BoundedDateField(serializers.DateField):
    """A date from 1900-01-01 to 2100-12-31. Trend windows, adherence ranges and regimen
    templates add and subtract weeks and months: year 1 or 9999 overflowed Python's date
    (a 500); no diary holds rows outside this range anyway."""

    default_error_messages = {
        "out_of_range": f"Use a date from {QUERY_DATE_MIN.isoformat()} to {QUERY_DATE_MAX.isoformat()}.",
    }

    def to_internal_value(self, value: Any) -> date:
        result = super().to_internal_value(value)
        if not QUERY_DATE_MIN <= result <= QUERY_DATE_MAX:
            self.fail("out_of_range")
        return result
