"""The visit report's template context and its two renderings (HTML, PDF). The treatment
response is shown as `diary.insights.serializers.treatment_response_data` shapes it, read
generically (verdict, sentence, the comparison numbers and a `caveats` list when there is
one), so a richer response shows up here without a change."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.models import User
from diary import units
from diary.insights.serializers import treatment_response_data
from diary.reports.chart import weekly_chart_svg
from diary.reports.selectors import VisitReport

PAPERS = {"a4": "A4", "letter": "letter"}
ANALYTE_NAMES = {
    units.VITAMIN_D_25OH: "25(OH)D, total",
    units.LAB_CALCIUM: "Calcium, total",
    units.PTH: "PTH, intact",
    units.PHOSPHATE: "Phosphate",
    units.LAB_MAGNESIUM: "Magnesium",
    units.LAB_POTASSIUM: "Potassium",
}
SUPPLEMENT_NAMES = {
    units.VITAMIN_D3: "Vitamin D3",
    units.VITAMIN_D2: "Vitamin D2",
    units.MAGNESIUM: "Magnesium",
    units.CALCIUM: "Calcium",
    units.POTASSIUM: "Potassium",
    units.OTHER: "Other",
}
FLAG_WORDS = {"L": "low", "N": "", "H": "high"}
VERDICT_WORDS = {
    "improved": "Improved",
    "worsened": "Worsened",
    "no_clear_change": "No clear change",
    "not_enough_data": "Not enough data",
}


def _age(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _caveat_text(caveat: Any) -> str:
    if isinstance(caveat, dict):
        for key in ("message", "text", "sentence", "detail"):
            if caveat.get(key):
                return str(caveat[key])
        return "; ".join(f"{k}: {v}" for k, v in caveat.items())
    return str(caveat)


def _response(report: VisitReport) -> dict:
    if report.response is None:
        return {"verdict": "not_enough_data", "verdict_word": VERDICT_WORDS["not_enough_data"],
                "sentence": report.response_error or "", "caveats": []}  # fmt: skip
    data = treatment_response_data(report.response)
    data["verdict_word"] = VERDICT_WORDS.get(data["verdict"], str(data["verdict"]).replace("_", " ").capitalize())
    data["caveats"] = [_caveat_text(c) for c in data.get("caveats") or []]
    return data


def _number(value: float) -> str:
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def report_context(report: VisitReport, *, viewer: User, paper: str) -> dict:
    patient = report.patient
    now_local = timezone.localtime(timezone.now(), patient.zone)
    adherence = []
    for row in report.adherence:
        regimen = row.regimen
        amount = _number(float(regimen.amount))
        schedule = {"daily": "daily", "weekly": "weekly", "weekdays": "on chosen days"}[regimen.frequency]
        adherence.append(
            {
                "name": f"{SUPPLEMENT_NAMES[regimen.supplement]} {amount} {regimen.unit} {schedule}",
                "phase": regimen.phase,
                "dates": (regimen.start_date, regimen.end_date),
                "taken": row.taken,
                "scheduled": row.scheduled,
                "rate": row.rate,
            }
        )
    labs = [
        {
            "collected_on": row.lab.collected_on,
            "name": ANALYTE_NAMES[row.lab.analyte],
            "value": f"{row.lab.value_normalised:.3g}"
            if row.lab.value_normalised < 100
            else f"{row.lab.value_normalised:.0f}",
            "unit": row.lab.normalised_unit,
            "entered": None
            if row.lab.unit == row.lab.normalised_unit
            else f"{_number(float(row.lab.value))} {row.lab.unit}",
            "interval": row.interval.text if row.interval else "",
            "flag": FLAG_WORDS.get(row.flag or "", ""),
        }
        for row in report.labs
    ]
    scores = [
        {"name": name.replace("_", " "), "mean": None if value is None else round(value, 1)}
        for name, value in report.scores.items()
    ]
    return {
        "paper": PAPERS[paper],
        "patient": patient,
        "age": _age(patient.date_of_birth, report.today),
        "first": report.first,
        "last": report.last,
        "weeks": len(report.series.buckets),
        "generated_at": now_local,
        "viewer": viewer,
        "for_clinician": viewer.id != patient.id,
        "chart": mark_safe(  # noqa: S308  (our own SVG; every text in it is escaped)
            weekly_chart_svg(report.series.buckets, supplementation_start=report.series.supplementation_start)
        ),
        "supplementation_start": report.series.supplementation_start,
        "response": _response(report),
        "adherence": adherence,
        "labs": labs,
        "episodes": report.episodes,
        "reported_days": report.reported_days,
        "night_share": report.night_share,
        "muscles": report.muscles[:4],
        "scores": scores,
        "checkins": report.checkins,
    }


def render_html(context: dict) -> str:
    return render_to_string("reports/visit_report.html", context)


def render_pdf(html: str) -> tuple[bytes, float]:
    """The PDF and the seconds it took. WeasyPrint lays out the same HTML and print CSS."""
    from weasyprint import HTML  # imported here: it loads Pango, which web requests rarely need

    started = time.perf_counter()
    pdf = HTML(string=html).write_pdf()
    return pdf, time.perf_counter() - started


def filename(patient: User, first: date, last: date, extension: str) -> str:
    return f"visit-report-{first.isoformat()}-to-{last.isoformat()}.{extension}"
