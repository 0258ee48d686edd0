"""Reading an import file into typed diary rows: the CSV layout (`diary.imports.layout`)
and this product's own JSON export. Each row is parsed on its own by the API's input
serializers (`diary.serializers.parse_entry`), so an import accepts exactly what the API
accepts; a row that fails is reported (row, column, reason) and never stops the others.

Each row's UUID comes from a fingerprint, so sending the same file again finds the rows it
stored the first time (the idempotent create path of `diary.services.sync_batch`):
- CSV: uuid5 of the patient, the kind and the row's identity fields (`layout.IDENTITY`:
  an episode is its time, muscle group and side; a lab its day and analyte; ...). The same
  row again is "unchanged"; the same identity with other values is reported as a conflict.
- JSON: a row id this patient already owns is kept (re-importing your own export changes
  nothing); any other id becomes uuid5 of the patient, the kind and that id, so the export
  of one account imports into another without clashing with the first.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from rest_framework import exceptions, serializers

from accounts.models import User, available_time_zones
from config.api.errors import flatten_field_errors
from config.api.exceptions import ValidationFailed
from diary.exports.formats import FORMAT_NAME, FORMAT_VERSION
from diary.imports import layout
from diary.kinds import KINDS
from diary.serializers import INPUTS, parse_entry
from diary.services import SYNC_MAX_ITEMS, SyncItem

NAMESPACE = uuid.UUID("0b6f6a53-3c0e-4f7a-9a59-2f3b1d6c8e41")
CHUNK = SYNC_MAX_ITEMS
CSV, JSON = "csv", "json"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str
    kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "kind": self.kind, "column": self.column, "reason": self.reason}


@dataclass
class Chunk:
    rows: int  # rows handled in this chunk (stored or refused)
    items: list[SyncItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ParsedFile:
    total: int
    chunks: Iterator[Chunk]


def refuse(message: str, code: str = "invalid_file") -> ValidationFailed:
    return ValidationFailed({"file": [message]}, message=message, code=code)


# --- fingerprints ---------------------------------------------------------------------------
def _canonical(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fingerprint_id(patient_id: uuid.UUID, kind: str, values: dict[str, Any]) -> uuid.UUID:
    identity = "|".join(f"{name}={_canonical(values.get(name))}" for name in layout.IDENTITY[kind])
    return uuid.uuid5(NAMESPACE, f"{patient_id}|{kind}|{identity}")


# --- decoding and the quick checks made in the request --------------------------------------
def detect_format(filename: str, data: bytes) -> str:
    if filename.lower().endswith(".json") or data.lstrip()[:1] in (b"{", b"["):
        return JSON
    return CSV


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("The file is not UTF-8 text. Save it as 'CSV UTF-8' and send it again.") from None


def _csv_reader(text: str) -> csv.DictReader:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header or not any(header):
        raise refuse("The file is empty: the first row must name the columns (download the template).")
    unknown = [name for name in header if name and name not in layout.COLUMNS]
    if unknown:
        raise refuse(
            f"Unknown column(s): {', '.join(unknown)}. The columns are: {', '.join(layout.COLUMNS)}.", "unknown_columns"
        )
    missing = [name for name in layout.REQUIRED_COLUMNS if name not in header]
    if missing:
        raise refuse(f"Missing column(s): {', '.join(missing)}.", "missing_columns")
    reader.fieldnames = header
    return reader


def _json_document(data: bytes) -> dict:
    try:
        document = json.loads(_text(data))
    except json.JSONDecodeError as exc:
        raise refuse(f"The file is not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise refuse(f'This is not a Spasm diary export (its "format" is not "{FORMAT_NAME}").', "unknown_format")
    if document.get("format_version") != FORMAT_VERSION:
        raise refuse(
            f"This export's format_version is {document.get('format_version')!r}; this server reads {FORMAT_VERSION}.",
            "unsupported_version",
        )
    for kind in KINDS.values():
        rows = document.get(kind.plural, [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise refuse(f'"{kind.plural}" must be a list of entries.')
    return document


def check_file(*, filename: str, data: bytes, format: str | None = None) -> str:
    """The file's format, after the checks that refuse a whole file (400 in the request)."""
    if not data:
        raise refuse("The file is empty.")
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise refuse(f"The file is larger than {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB.", "too_large")
    format = format or detect_format(filename, data)
    if format == JSON:
        document = _json_document(data)
        rows = sum(len(document.get(kind.plural, [])) for kind in KINDS.values())
    else:
        rows = sum(1 for _ in _csv_reader(_text(data)))
    if rows > settings.IMPORT_MAX_ROWS:
        raise refuse(f"The file has {rows:,} rows; at most {settings.IMPORT_MAX_ROWS:,} at once.", "too_many_rows")
    return format


# --- one row ------------------------------------------------------------------------------
_TRUE, _FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
# Input fields that are not CSV columns of the same name.
_CSV_COLUMN_OF = {"occurred_at": "time", "taken_at": "time", "local_date": "date", "collected_on": "date"}


class _CellError(Exception):
    def __init__(self, column: str, reason: str):
        self.column, self.reason = column, reason


def _flag(cells: dict[str, str], name: str) -> bool | None:
    value = cells.get(name, "").strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _CellError(name, "Use yes or no.")


def _whole(column: str, raw: str) -> int:
    try:
        number = Decimal(raw)
    except ArithmeticError:
        raise _CellError(column, f"{raw!r} is not a number.") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise _CellError(column, f"{raw!r} is not a whole number.")
    return int(number)


def _instant(cells: dict[str, str], day: date, zone: ZoneInfo) -> str:
    raw = cells.get("time", "").strip()
    if not raw:
        raise _CellError("time", "A time (HH:MM) is required for this kind.")
    try:
        clock = time.fromisoformat(raw if len(raw) != 4 else f"0{raw}")
    except ValueError:
        raise _CellError("time", f"{raw!r} is not a time; use HH:MM (24-hour).") from None
    return datetime.combine(day, clock, tzinfo=zone).isoformat()


def _csv_payload(kind: str, cells: dict[str, str], default_zone: str) -> dict[str, Any]:
    zone_name = cells.get("time_zone", "").strip() or default_zone
    if zone_name not in available_time_zones():
        raise _CellError("time_zone", f"{zone_name!r} is not an IANA time zone (for example Europe/London).")
    raw_day = cells.get("date", "").strip()
    try:
        day = date.fromisoformat(raw_day)
    except ValueError:
        raise _CellError("date", f"{raw_day!r} is not a date; use YYYY-MM-DD.") from None
    zone = ZoneInfo(zone_name)
    data: dict[str, Any] = {}
    for name, (kinds, _) in layout.COLUMNS.items():
        if kind in kinds and name not in ("kind", "date", "time", "time_zone"):
            value = cells.get(name, "").strip()
            if value:
                data[name] = value
    for name in ("during_sleep", "woke_patient", "no_cramps"):
        if name in data:
            data[name] = _flag(cells, name)
    # A cell is text; the API takes JSON numbers for its whole-number fields (and refuses
    # "7"), so those cells are read as numbers here and the range is left to the API's rules.
    for name, input_field in INPUTS[kind]().fields.items():
        if name in data and isinstance(input_field, serializers.IntegerField):
            data[name] = _whole(name, data[name])
    if kind == "episode":
        data["occurred_at"] = _instant(cells, day, zone)
    elif kind == "dose":
        data["taken_at"] = _instant(cells, day, zone)
    elif kind == "checkin":
        data["local_date"] = day.isoformat()
    elif kind == "lab":
        data["collected_on"] = day.isoformat()
    return data


def _field_errors(exc: exceptions.ValidationError, column_of: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (column_of.get(name, name), message)
        for name, messages in flatten_field_errors(exc.detail).items()
        for message in messages
    ]


# --- CSV ------------------------------------------------------------------------------------
def read_csv(*, patient: User, data: bytes) -> ParsedFile:
    rows = list(_csv_reader(_text(data)))

    def chunks() -> Iterator[Chunk]:
        for begin in range(0, len(rows), CHUNK):
            chunk = Chunk(rows=min(CHUNK, len(rows) - begin))
            for offset, cells in enumerate(rows[begin : begin + CHUNK]):
                number = begin + offset + 2  # the spreadsheet's row: the header is row 1
                cells = {key: value or "" for key, value in cells.items() if key}
                raw_kind = cells.get("kind", "").strip().lower()
                kind = layout.KIND_ALIASES.get(raw_kind, raw_kind)
                if kind not in layout.KINDS:
                    chunk.errors.append(RowError(number, "kind", f"Use one of: {', '.join(layout.KINDS)}."))
                    continue
                try:
                    payload = _csv_payload(kind, cells, patient.time_zone)
                    values, _ = parse_entry(KINDS[kind], payload)
                except _CellError as exc:
                    chunk.errors.append(RowError(number, exc.column, exc.reason, kind))
                    continue
                except exceptions.ValidationError as exc:
                    chunk.errors += [
                        RowError(number, column, reason, kind) for column, reason in _field_errors(exc, _CSV_COLUMN_OF)
                    ]
                    continue
                values.pop("id", None)
                entry_id = fingerprint_id(patient.id, kind, values)
                chunk.items.append(SyncItem(number, KINDS[kind], entry_id, values, frozenset(values)))
            yield chunk

    return ParsedFile(len(rows), chunks())


# --- JSON -------------------------------------------------------------------------------------
def _owned_ids(patient: User, kind_name: str, rows: list[dict]) -> set[str]:
    ids = []
    for row in rows:
        try:
            ids.append(uuid.UUID(str(row.get("id"))))
        except ValueError:
            continue
    owned = KINDS[kind_name].model.objects.filter(patient=patient, id__in=ids).values_list("id", flat=True)
    return {str(entry_id) for entry_id in owned}


def read_json(*, patient: User, data: bytes) -> ParsedFile:
    document = _json_document(data)
    listed = [(name, row) for name, kind in KINDS.items() for row in document.get(kind.plural, [])]
    owned = {name: _owned_ids(patient, name, document.get(kind.plural, [])) for name, kind in KINDS.items()}

    def new_id(kind_name: str, old: Any) -> str | None:
        if old is None:
            return None
        old = str(old)
        if old in owned[kind_name]:
            return old
        try:
            uuid.UUID(old)
        except ValueError:
            return old  # the input serializer reports it
        return str(uuid.uuid5(NAMESPACE, f"{patient.id}|{kind_name}|{old}"))

    def chunks() -> Iterator[Chunk]:
        for begin in range(0, len(listed), CHUNK):
            chunk = Chunk(rows=min(CHUNK, len(listed) - begin))
            for offset, (kind_name, row) in enumerate(listed[begin : begin + CHUNK]):
                number = begin + offset + 1
                payload = dict(row)
                payload["id"] = new_id(kind_name, row.get("id"))
                if kind_name in ("dose", "skip"):  # they point at a regimen in the same file
                    payload["regimen_id"] = new_id("regimen", row.get("regimen_id"))
                try:
                    values, _ = parse_entry(KINDS[kind_name], payload)
                except exceptions.ValidationError as exc:
                    chunk.errors += [
                        RowError(number, column, reason, kind_name) for column, reason in _field_errors(exc, {})
                    ]
                    continue
                entry_id = values.pop("id", None)
                if entry_id is None:
                    chunk.errors.append(RowError(number, "id", "Every exported entry has an id.", kind_name))
                    continue
                chunk.items.append(SyncItem(number, KINDS[kind_name], entry_id, values, frozenset(values)))
            yield chunk

    return ParsedFile(len(listed), chunks())


def read_file(*, patient: User, format: str, data: bytes) -> ParsedFile:
    return read_json(patient=patient, data=data) if format == JSON else read_csv(patient=patient, data=data)
