"""The three export formats, written from rows handed in kind by kind. `advance(n)` is called
as rows are written, so a worker can report progress.

- CSV: a zip with one UTF-8 (with BOM, so spreadsheets read the accents and the µ right)
  file per kind and a README.txt. Columns are documented in docs/data-formats.md; units are
  in the headers; dates and times are the patient's local ones, in the zone named on each
  row (the zone the row was logged in), beside the UTC instant.
- JSON: the API's own output shapes (`diary.serializers.OUTPUTS`), with `format_version`.
- FHIR: `diary.exports.fhir`.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder

from diary.exports import fhir
from diary.kinds import KINDS
from diary.models import DiaryEntry
from diary.serializers import OUTPUTS

FORMAT_NAME = "spasm-diary"
FORMAT_VERSION = 1
CHUNK = 1000
Advance = Callable[[int], None]


# --- CSV --------------------------------------------------------------------------------
def _utc(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")


def _local_time(row: DiaryEntry, field: str) -> str:
    return getattr(row, field).astimezone(ZoneInfo(row.time_zone)).strftime("%H:%M")


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


Column = tuple[str, Callable[[Any], str]]

CSV_COLUMNS: dict[str, list[Column]] = {
    "episode": [
        ("id", lambda r: str(r.id)),
        ("local_date", lambda r: _day(r.local_date)),
        ("local_time (HH:MM)", lambda r: _local_time(r, "occurred_at")),
        ("time_zone", lambda r: r.time_zone),
        ("occurred_at (UTC)", lambda r: _utc(r.occurred_at)),
        ("muscle_group", lambda r: r.muscle_group),
        ("side", lambda r: r.side),
        ("severity (0-10)", lambda r: str(r.severity)),
        ("duration (s)", lambda r: _num(r.duration_seconds)),
        ("during_sleep (yes/no)", lambda r: _flag(r.during_sleep)),
        ("woke_patient (yes/no)", lambda r: _flag(r.woke_patient)),
        ("trigger", lambda r: r.trigger),
        ("night (yes/no)", lambda r: _flag(r.night)),
        ("notes", lambda r: r.notes),
    ],
    "checkin": [
        ("id", lambda r: str(r.id)),
        ("local_date", lambda r: _day(r.local_date)),
        ("time_zone", lambda r: r.time_zone),
        ("weakness (0-10)", lambda r: _num(r.weakness)),
        ("fatigue (0-10)", lambda r: _num(r.fatigue)),
        ("bone_pain (0-10)", lambda r: _num(r.bone_pain)),
        ("twitching (0-10)", lambda r: _num(r.twitching)),
        ("no_cramps (yes/no)", lambda r: _flag(r.no_cramps)),
        ("notes", lambda r: r.notes),
    ],
    "sun": [
        ("id", lambda r: str(r.id)),
        ("local_date", lambda r: _day(r.local_date)),
        ("local_time (HH:MM)", lambda r: _local_time(r, "started_at")),
        ("time_zone", lambda r: r.time_zone),
        ("started_at (UTC)", lambda r: _utc(r.started_at)),
        ("minutes (min)", lambda r: str(r.minutes)),
        ("skin_exposed (;-separated)", lambda r: ";".join(r.skin_exposed)),
        ("sunscreen (yes/no)", lambda r: _flag(r.sunscreen)),
        ("uv_index", lambda r: _num(r.uv_index)),
        ("notes", lambda r: r.notes),
    ],
    "regimen": [
        ("id", lambda r: str(r.id)),
        ("supplement", lambda r: r.supplement),
        ("amount", lambda r: _num(r.amount)),
        ("unit", lambda r: r.unit),
        ("amount_normalised (IU for vitamin D, else mg)", lambda r: _num(r.amount_normalised)),
        ("daily_equivalent (IU or mg per day)", lambda r: _num(round(r.daily_equivalent, 3))),
        ("frequency", lambda r: r.frequency),
        ("weekdays (1=Monday;...;7=Sunday)", lambda r: ";".join(str(d) for d in r.weekdays)),
        ("start_date", lambda r: _day(r.start_date)),
        ("end_date", lambda r: _day(r.end_date)),
        ("phase", lambda r: r.phase),
        ("time_zone", lambda r: r.time_zone),
        ("notes", lambda r: r.notes),
    ],
    "dose": [
        ("id", lambda r: str(r.id)),
        ("local_date", lambda r: _day(r.local_date)),
        ("local_time (HH:MM)", lambda r: _local_time(r, "taken_at")),
        ("time_zone", lambda r: r.time_zone),
        ("taken_at (UTC)", lambda r: _utc(r.taken_at)),
        ("supplement", lambda r: r.supplement),
        ("amount", lambda r: _num(r.amount)),
        ("unit", lambda r: r.unit),
        ("amount_normalised (IU for vitamin D, else mg)", lambda r: _num(r.amount_normalised)),
        ("regimen_id", lambda r: "" if r.regimen_id is None else str(r.regimen_id)),
        ("notes", lambda r: r.notes),
    ],
    "skip": [
        ("id", lambda r: str(r.id)),
        ("local_date", lambda r: _day(r.local_date)),
        ("time_zone", lambda r: r.time_zone),
        ("regimen_id", lambda r: str(r.regimen_id)),
        ("reason", lambda r: r.reason),
        ("notes", lambda r: r.notes),
    ],
    "lab": [
        ("id", lambda r: str(r.id)),
        ("collected_on", lambda r: _day(r.collected_on)),
        ("analyte", lambda r: r.analyte),
        ("value", lambda r: _num(r.value)),
        ("unit", lambda r: r.unit),
        ("value_normalised", lambda r: _num(r.value_normalised)),
        ("normalised_unit", lambda r: r.normalised_unit),
        ("category (25(OH)D only)", lambda r: r.category),
        ("notes", lambda r: r.notes),
    ],
}

README = """Spasm diary export for {name} <{email}>
Exported {exported_at} (UTC). Time zone now: {time_zone}.

One CSV file per kind of entry, UTF-8 with a byte-order mark, comma-separated, one header row.
Dates and times are the patient's local ones, in the zone named on each row (the zone the
entry was logged in); instants are also given in UTC. Units are in the column headers;
yes/no columns hold "yes" or "no"; an empty cell is "not recorded".
The columns are described in the project's docs/data-formats.md.
"""


def csv_zip(patient, rows_by_kind: dict[str, Iterable[DiaryEntry]], out, *, exported_at: datetime, advance: Advance):
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                name=patient.name or "", email=patient.email, exported_at=_utc(exported_at), time_zone=patient.time_zone
            ),
        )
        for name, rows in rows_by_kind.items():
            columns = CSV_COLUMNS[name]
            text = io.StringIO()
            text.write("\ufeff")
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([header for header, _ in columns])
            written = 0
            for row in rows:
                writer.writerow([value(row) for _, value in columns])
                written += 1
                if written % CHUNK == 0:
                    advance(CHUNK)
            advance(written % CHUNK)
            archive.writestr(f"{KINDS[name].plural}.csv", text.getvalue().encode("utf-8"))


# --- JSON -------------------------------------------------------------------------------
def _chunks(rows: Iterable[DiaryEntry]) -> Iterator[list[DiaryEntry]]:
    chunk: list[DiaryEntry] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def patient_data(patient) -> dict:
    return {
        "id": str(patient.id),
        "email": patient.email,
        "name": patient.name,
        "time_zone": patient.time_zone,
        "date_of_birth": _day(patient.date_of_birth) or None,
    }


def json_document(
    patient, rows_by_kind: dict[str, Iterable[DiaryEntry]], out, *, exported_at: datetime, advance: Advance
):
    document: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": _utc(exported_at),
        "patient": patient_data(patient),
    }
    for name, rows in rows_by_kind.items():
        shaped: list[dict] = []
        for chunk in _chunks(rows):
            shaped += OUTPUTS[name](chunk, many=True).data
            advance(len(chunk))
        document[KINDS[name].plural] = shaped
    out.write(json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode("utf-8"))


# --- FHIR -------------------------------------------------------------------------------
def _counted(rows: Iterable[DiaryEntry], advance: Advance) -> Iterator[DiaryEntry]:
    count = 0
    for row in rows:
        yield row
        count += 1
        if count % CHUNK == 0:
            advance(CHUNK)
    advance(count % CHUNK)


def fhir_bundle(
    patient,
    rows_by_kind: dict[str, Iterable[DiaryEntry]],
    out,
    *,
    exported_at: datetime,
    advance: Advance,
    bundle_id: str,
    today: date,
):
    counted = {name: _counted(rows, advance) for name, rows in rows_by_kind.items()}
    document = fhir.bundle(
        patient=patient,
        bundle_id=bundle_id,
        timestamp=exported_at,
        today=today,
        regimens=counted["regimen"],
        episodes=counted["episode"],
        checkins=counted["checkin"],
        doses=counted["dose"],
        skips=counted["skip"],
        labs=counted["lab"],
    )
    for rows in counted.values():  # sun: not in the Bundle, but counted as handled
        for _ in rows:
            pass
    out.write(json.dumps(document, ensure_ascii=False).encode("utf-8"))
