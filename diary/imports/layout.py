"""The CSV import layout, described once: the template download, the parser and
docs/data-formats.md follow it. Plain Python.

One row per entry; `kind` says which. Dates and times are the patient's local ones: in the
row's `time_zone` when given, else the account's zone. Cells of columns that do not belong
to the row's kind are ignored.
"""

from __future__ import annotations

KINDS = ("episode", "checkin", "dose", "lab")
# Plural spellings (the API's) are accepted too.
KIND_ALIASES = {"episodes": "episode", "checkins": "checkin", "doses": "dose", "labs": "lab"}

# column -> (kinds it applies to, what it holds)
COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "kind": (KINDS, "episode, checkin, dose or lab"),
    "date": (KINDS, "local date, YYYY-MM-DD (for a lab: the day the sample was collected)"),
    "time": (("episode", "dose"), "local time, HH:MM (24-hour); required for episodes and doses"),
    "time_zone": (KINDS, "IANA zone of date and time, e.g. Europe/London; default: the account's zone"),
    "muscle_group": (("episode",), "calf, thigh, foot, hand, back, neck or other"),
    "side": (("episode",), "left, right, both or n/a (default n/a)"),
    "severity": (("episode",), "0-10"),
    "duration_seconds": (("episode",), "seconds, 1-86400 (optional)"),
    "during_sleep": (("episode",), "yes/no (default no)"),
    "woke_patient": (("episode",), "yes/no (default no)"),
    "trigger": (("episode",), "exercise, rest, night, dehydration or unknown (default unknown)"),
    "weakness": (("checkin",), "0-10 (optional)"),
    "fatigue": (("checkin",), "0-10 (optional)"),
    "bone_pain": (("checkin",), "0-10 (optional)"),
    "twitching": (("checkin",), "0-10 (optional)"),
    "no_cramps": (("checkin",), "yes/no: an explicit 'no cramps today' (default no)"),
    "supplement": (("dose",), "vitamin_d3, vitamin_d2, magnesium, calcium, potassium or other"),
    "amount": (("dose",), "a number, in `unit`"),
    "unit": (("dose", "lab"), "dose: IU, ug, mg or g; lab: ng/mL, nmol/L, mg/dL, mmol/L, pg/mL, pmol/L, ng/L, mEq/L"),
    "analyte": (("lab",), "vitamin_d_25oh, calcium, pth, phosphate, magnesium or potassium"),
    "value": (("lab",), "a number, in `unit`"),
    "notes": (KINDS, "free text, up to 2,000 characters (optional)"),
}
REQUIRED_COLUMNS = ("kind", "date")

# The fields that make two rows the same entry: importing a row again finds its entry
# instead of adding a copy; a row with the same identity and other values is reported.
IDENTITY: dict[str, tuple[str, ...]] = {
    "episode": ("occurred_at", "muscle_group", "side"),
    "checkin": ("local_date",),
    "dose": ("taken_at", "supplement"),
    "lab": ("collected_on", "analyte"),
    "sun": ("started_at",),
    "regimen": ("supplement", "start_date", "frequency"),
}

TEMPLATE_ROWS = [
    {
        "kind": "episode",
        "date": "2026-01-12",
        "time": "03:40",
        "muscle_group": "calf",
        "side": "left",
        "severity": "7",
        "duration_seconds": "120",
        "during_sleep": "yes",
        "woke_patient": "yes",
        "trigger": "night",
        "notes": "woke me up",
    },
    {"kind": "checkin", "date": "2026-01-13", "fatigue": "4", "weakness": "2", "no_cramps": "yes"},
    {
        "kind": "dose",
        "date": "2026-01-13",
        "time": "08:00",
        "supplement": "vitamin_d3",
        "amount": "50000",
        "unit": "IU",
    },
    {"kind": "lab", "date": "2026-01-05", "analyte": "vitamin_d_25oh", "value": "14", "unit": "ng/mL"},
]


def template_csv() -> str:
    import csv
    import io

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in TEMPLATE_ROWS:
        writer.writerow(row)
    return out.getvalue()
