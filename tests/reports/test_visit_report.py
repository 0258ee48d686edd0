"""The one-page visit report: HTML and a server-rendered PDF, checked with poppler's
pdftoppm (one page) and pdftotext (who, when, the verdict sentence, each lab)."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from accounts.models import AccessEvent
from diary.insights.selectors import treatment_response
from tests.conftest import IN_CI, assert_error
from tests.known_diary import known_diary

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"
RANGE = "from=2025-01-27&to=2025-06-30"


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if IN_CI:
            pytest.fail(f"{tool} is missing (apt-get install poppler-utils; CI must provide it)")
        pytest.skip(f"{tool} is missing (apt-get install poppler-utils)")
    return path


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_pdf_is_one_page_and_holds_who_when_the_verdict_and_each_lab(patient, patient_client, tmp_path, paper):
    patient.date_of_birth = date(1970, 5, 4)
    patient.save()
    known_diary(patient)
    started = time.perf_counter()
    response = patient_client.get(f"/api/v1/reports/visit.pdf?{RANGE}&paper={paper}")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)

    subprocess.run([poppler("pdftoppm"), "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)  # noqa: S603
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1, f"{len(pages)} pages"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pages[0], ARTIFACTS / f"visit-report-{paper}.png")
    shutil.copy(pdf, ARTIFACTS / f"visit-report-{paper}.pdf")

    text = subprocess.run(  # noqa: S603
        [poppler("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = squash(text)
    assert "Alice" in flat
    assert "27 Jan 2025 to 30 Jun 2025" in flat
    sentence = treatment_response(patient=patient, today=date(2025, 6, 30)).assessment.sentence
    plain = squash(
        subprocess.run(  # noqa: S603
            [poppler("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
    )
    assert squash(sentence) in plain
    for name, value in [
        ("25(OH)D, total", "14"),
        ("Calcium, total", "8.42"),
        ("PTH, intact", "80"),
        ("Phosphate", "3"),
        ("Magnesium", "1.94"),
        ("Potassium", "4.2"),
        ("25(OH)D, total", "36.1"),
    ]:
        assert any(name in line and f" {value} " in f" {line} " for line in text.splitlines()), (name, value)
    assert elapsed < 5, f"the PDF took {elapsed:.1f} s"


def test_the_html_report_shows_each_part(patient, patient_client):
    known_diary(patient)
    response = patient_client.get(f"/api/v1/reports/visit?{RANGE}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for text in (
        "Cramp and vitamin D report",
        "<svg",
        "vitamin D start",
        "Muscles most affected",
        "at night or during sleep",
        "Vitamin D3 50,000 IU weekly",
        "Symptom scores",
        "8.5-10.5 mg/dL",
        "@page { size: A4;",
    ):
        assert text in html, text
    assert "@page { size: letter;" in patient_client.get(f"/api/v1/reports/visit?{RANGE}&paper=letter").content.decode()


def test_caveats_are_shown_when_the_treatment_response_has_them(patient, patient_client, monkeypatch):
    from diary.reports import context

    known_diary(patient)
    real = context.treatment_response_data

    def with_caveats(result):
        return {
            **real(result),
            "caveats": [{"code": "trend", "message": "Cramps were already falling before the start."}, "Summer sun."],
        }

    monkeypatch.setattr(context, "treatment_response_data", with_caveats)
    html = patient_client.get(f"/api/v1/reports/visit?{RANGE}").content.decode()
    assert "Cramps were already falling before the start." in html
    assert "Summer sun." in html


def test_who_may_read_the_report(
    patient,
    clinician,
    patient_client,
    anon_client,
    clinician_client,
    other_clinician_client,
    revoked_clinician_client,
    stranger_client,
):
    known_diary(patient)
    base = f"/api/v1/clinician/patients/{patient.id}/reports"
    for path in ("/api/v1/reports/visit", "/api/v1/reports/visit.pdf", f"{base}/visit"):
        assert_error(anon_client.get(path), 401, "not_authenticated")
    response = clinician_client.get(f"{base}/visit?{RANGE}")
    assert response.status_code == 200
    assert "for Dr Bob" in response.content.decode()
    assert clinician_client.get(f"{base}/visit.pdf?{RANGE}")["Content-Type"] == "application/pdf"
    assert list(AccessEvent.objects.filter(patient=patient).values_list("resource", flat=True)) == ["visit-report"] * 2
    for client in (other_clinician_client, revoked_clinician_client, stranger_client):
        assert_error(client.get(f"{base}/visit"), 404, "not_found")
        assert_error(client.get(f"{base}/visit.pdf"), 404, "not_found")
    assert_error(clinician_client.get("/api/v1/reports/visit"), 403, "patient_only")
    # A stranger's own report is about the stranger.
    assert "Alice" not in stranger_client.get("/api/v1/reports/visit").content.decode()
    assert AccessEvent.objects.count() == 2
    assert patient_client.get("/api/v1/reports/visit.pdf", HTTP_ACCEPT="application/pdf").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2025-06-01&to=2025-05-01", "from"),
        ("from=2020-01-01&to=2025-05-01", "from"),
        ("from=yesterday", "from"),
        ("paper=b5", "paper"),
    ],
)
def test_bad_queries_answer_the_envelope(patient_client, query, field):
    assert_error(patient_client.get(f"/api/v1/reports/visit?{query}"), 400, "invalid", [field])
    assert_error(patient_client.get(f"/api/v1/reports/visit.pdf?{query}"), 400, "invalid", [field])
