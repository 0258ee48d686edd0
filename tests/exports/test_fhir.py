"""The FHIR R4 export: valid against the R4 (4.0.1) models of fhir.resources, with the
codes, displays and units of DOMAIN.md."""

from __future__ import annotations

import json

import pytest

from diary.exports import codes
from diary.exports.models import ExportJob
from diary.exports.services import export_request
from tests.known_diary import known_diary

pytestmark = pytest.mark.django_db

# Each code as its code system publishes it: SNOMED CT (International edition preferred
# terms), ICD-10-CM, LOINC long common names, HL7 terminology. Written out here, not read
# from the code under test.
PUBLISHED = {
    ("http://snomed.info/sct", "55300003"): "Cramp",
    ("http://snomed.info/sct", "45352006"): "Spasm",
    ("http://hl7.org/fhir/sid/icd-10-cm", "R25.2"): "Cramp and spasm",
    ("http://snomed.info/sct", "52101004"): "Present",
    ("http://snomed.info/sct", "260413007"): "None",
    ("http://snomed.info/sct", "246112005"): "Severity",
    ("http://snomed.info/sct", "272741003"): "Laterality",
    ("http://snomed.info/sct", "53840002"): "Structure of calf of leg",
    ("http://snomed.info/sct", "68367000"): "Thigh structure",
    ("http://snomed.info/sct", "56459004"): "Foot structure",
    ("http://snomed.info/sct", "85562004"): "Hand structure",
    ("http://snomed.info/sct", "77568009"): "Back structure, excluding neck",
    ("http://snomed.info/sct", "45048000"): "Neck structure",
    ("http://snomed.info/sct", "7771000"): "Left",
    ("http://snomed.info/sct", "24028007"): "Right",
    ("http://snomed.info/sct", "51440002"): "Right and left",
    ("http://loinc.org", "62292-8"): "25-Hydroxyvitamin D2+25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma",
    ("http://loinc.org", "17861-6"): "Calcium [Mass/volume] in Serum or Plasma",
    ("http://loinc.org", "2731-8"): "Parathyrin.intact [Mass/volume] in Serum or Plasma",
    ("http://loinc.org", "2777-1"): "Phosphate [Mass/volume] in Serum or Plasma",
    ("http://loinc.org", "19123-9"): "Magnesium [Mass/volume] in Serum or Plasma",
    ("http://loinc.org", "2823-3"): "Potassium [Moles/volume] in Serum or Plasma",
    ("http://terminology.hl7.org/CodeSystem/observation-category", "survey"): "Survey",
    ("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory"): "Laboratory",
    ("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "L"): "Low",
    ("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "N"): "Normal",
    ("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H"): "High",
}
# UCUM codes for the units DOMAIN.md names.
UCUM = {"ng/mL": "ng/mL", "mg/dL": "mg/dL", "pg/mL": "pg/mL", "mmol/L": "mmol/L", "IU": "[iU]", "mg": "mg", "ug": "ug"}


def _bundle(patient) -> dict:
    job = export_request(requested_by=patient, patient=patient, format=ExportJob.Format.FHIR)
    assert job.status == ExportJob.Status.DONE
    with job.file.open("rb") as f:
        return json.loads(f.read())


def _codings(node):
    if isinstance(node, dict):
        if "system" in node and "code" in node and "display" in node:
            yield node
        for value in node.values():
            yield from _codings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _codings(value)


def test_every_code_the_exports_know_has_its_published_display():
    known = [value for value in vars(codes).values() if isinstance(value, dict) and "code" in value]
    known += list(codes.BODY_SITES.values()) + list(codes.SIDES.values()) + list(codes.INTERPRETATIONS.values())
    known += list(codes.LAB_CODES.values())
    for coding in known:
        assert PUBLISHED[(coding["system"], coding["code"])] == coding["display"], coding


def test_the_bundle_validates_against_fhir_r4(patient):
    from fhir.resources import __fhir_version__
    from fhir.resources.bundle import Bundle

    assert __fhir_version__ == "4.0.1"
    patient.date_of_birth = __import__("datetime").date(1970, 5, 4)
    patient.save()
    known_diary(patient)
    document = _bundle(patient)
    parsed = Bundle.parse_obj(document)
    assert parsed.type == "collection"
    kinds = [entry.resource.resource_type for entry in parsed.entry]
    assert kinds.count("Patient") == 1
    assert kinds.count("MedicationStatement") == 2
    # 2 doses taken and 1 skipped (status not-done, its reason given).
    assert kinds.count("MedicationAdministration") == 3
    skipped = [
        e.resource
        for e in parsed.entry
        if e.resource.resource_type == "MedicationAdministration" and e.resource.status == "not-done"
    ]
    assert [(s.statusReason[0].text, str(s.effectiveDateTime)) for s in skipped] == [("Forgot", "2025-05-04")]
    # 3 episodes, 1 "no cramps" day (the other stands beside an episode), 7 labs.
    assert kinds.count("Observation") == 3 + 1 + 7
    for coding in _codings(document):
        if coding["system"] != "http://unitsofmeasure.org":
            assert PUBLISHED[(coding["system"], coding["code"])] == coding["display"], coding


def test_key_fields_of_each_resource(patient):
    diary = known_diary(patient)
    document = _bundle(patient)
    by_id = {entry["resource"]["id"]: entry["resource"] for entry in document["entry"]}
    subject = {"reference": f"urn:uuid:{patient.id}"}

    person = by_id[str(patient.id)]
    assert person["name"] == [{"text": "Alice"}]
    assert person["telecom"] == [{"system": "email", "value": "alice@example.com"}]

    calf = by_id[str(diary["episodes"][0].id)]
    assert calf["subject"] == subject
    assert [c["code"] for c in calf["code"]["coding"]] == ["55300003", "R25.2"]
    assert calf["effectivePeriod"] == {"start": "2025-02-10T03:40:00+00:00", "end": "2025-02-10T03:42:00+00:00"}
    assert calf["bodySite"]["coding"][0]["code"] == "53840002"
    components = {(c["code"].get("coding") or [{"code": c["code"]["text"]}])[0]["code"]: c for c in calf["component"]}
    assert components["246112005"]["valueInteger"] == 7
    assert components["272741003"]["valueCodeableConcept"]["coding"][0]["code"] == "7771000"
    assert components["Temporal relationship to sleep"]["valueCodeableConcept"] == {"text": "during sleep"}
    assert calf["note"] == [{"text": "réveillée la nuit"}]

    back = by_id[str(diary["episodes"][1].id)]
    assert back["code"]["coding"][0]["code"] == "45352006"  # back and neck: spasm
    assert "end" not in back["effectivePeriod"]  # no duration logged

    no_cramps = by_id[str(diary["checkins"][0].id)]
    assert no_cramps["valueCodeableConcept"]["coding"][0]["code"] == "260413007"
    assert no_cramps["effectivePeriod"]["start"] == "2025-02-11T00:00:00+00:00"
    assert str(diary["checkins"][1].id) not in by_id  # the episode on 2025-02-12 wins

    loading = by_id[str(diary["regimens"][0].id)]
    assert loading["resourceType"] == "MedicationStatement"
    assert loading["status"] == "completed"
    assert loading["effectivePeriod"] == {"start": "2025-03-03", "end": "2025-04-27"}
    dosage = loading["dosage"][0]
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "wk", "dayOfWeek": ["mon"]}
    assert dosage["doseAndRate"][0]["doseQuantity"] == {
        "value": 50000.0,
        "unit": "IU",
        "system": "http://unitsofmeasure.org",
        "code": UCUM["IU"],
    }
    assert by_id[str(diary["regimens"][1].id)]["status"] == "active"

    dose = by_id[str(diary["doses"][0].id)]
    assert dose["resourceType"] == "MedicationAdministration"
    assert dose["effectiveDateTime"] == "2025-03-03T08:00:00+00:00"
    assert dose["dosage"]["dose"]["code"] == "[iU]"
    assert dose["supportingInformation"] == [{"reference": f"urn:uuid:{diary['regimens'][0].id}"}]
    assert by_id[str(diary["doses"][1].id)]["dosage"]["dose"]["code"] == "mg"

    expected_labs = {
        # analyte: (LOINC, value in DOMAIN.md's unit, UCUM unit, interpretation)
        "vitamin_d_25oh": ("62292-8", 14.0, "ng/mL", "L"),
        "calcium": ("17861-6", 8.417, "mg/dL", "L"),
        "pth": ("2731-8", 80.0, "pg/mL", "H"),
        "phosphate": ("2777-1", 3.0, "mg/dL", "N"),
        "magnesium": ("19123-9", 1.945, "mg/dL", "N"),
        "potassium": ("2823-3", 4.2, "mmol/L", "N"),
    }
    for lab in diary["labs"][:6]:
        resource = by_id[str(lab.id)]
        loinc, value, unit, flag = expected_labs[lab.analyte]
        assert resource["category"][0]["coding"][0]["code"] == "laboratory"
        assert resource["code"]["coding"][0]["code"] == loinc
        assert resource["valueQuantity"]["value"] == pytest.approx(value, abs=0.001)
        assert resource["valueQuantity"]["code"] == UCUM[unit]
        assert resource["referenceRange"][0]["low"]["code"] == UCUM[unit]
        assert resource["interpretation"][0]["coding"][0]["code"] == flag
        assert resource["effectiveDateTime"] == "2025-02-01"
    # 90 nmol/L is 36.06 ng/mL: sufficient, written in ng/mL.
    later = by_id[str(diary["labs"][6].id)]
    assert later["valueQuantity"]["value"] == pytest.approx(36.058, abs=0.001)
    assert later["interpretation"][0]["coding"][0]["code"] == "N"
