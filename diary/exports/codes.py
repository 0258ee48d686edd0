"""Every code the exports write, with the display its code system publishes: one place,
checked by tests/exports/test_fhir.py against the displays written out there. Plain Python.

Code systems (FHIR R4 canonical URIs): SNOMED CT, ICD-10-CM, LOINC, UCUM, HL7's observation
category and v3 ObservationInterpretation. Medications are written as text: the diary
records the supplement ("vitamin D3"), not a product, so no drug code would be honest.
"""

from __future__ import annotations

from diary import units

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


# --- symptoms (DOMAIN.md: SNOMED CT findings, ICD-10-CM R25.2) ---------------------------
CRAMP = coding(SNOMED, "55300003", "Cramp")
SPASM = coding(SNOMED, "45352006", "Spasm")
CRAMP_AND_SPASM_ICD10CM = coding(ICD10CM, "R25.2", "Cramp and spasm")
# Back and neck episodes are spasms in the usual clinical wording; limb episodes are cramps.
SPASM_MUSCLE_GROUPS = frozenset({"back", "neck"})

PRESENT = coding(SNOMED, "52101004", "Present")
NONE = coding(SNOMED, "260413007", "None")
SEVERITY = coding(SNOMED, "246112005", "Severity")
LATERALITY = coding(SNOMED, "272741003", "Laterality")

BODY_SITES: dict[str, dict[str, str]] = {
    "calf": coding(SNOMED, "53840002", "Structure of calf of leg"),
    "thigh": coding(SNOMED, "68367000", "Thigh structure"),
    "foot": coding(SNOMED, "56459004", "Foot structure"),
    "hand": coding(SNOMED, "85562004", "Hand structure"),
    "back": coding(SNOMED, "77568009", "Back structure, excluding neck"),
    "neck": coding(SNOMED, "45048000", "Neck structure"),
}
SIDES: dict[str, dict[str, str]] = {
    "left": coding(SNOMED, "7771000", "Left"),
    "right": coding(SNOMED, "24028007", "Right"),
    "both": coding(SNOMED, "51440002", "Right and left"),
}

SURVEY = coding(OBSERVATION_CATEGORY, "survey", "Survey")
LABORATORY = coding(OBSERVATION_CATEGORY, "laboratory", "Laboratory")

INTERPRETATIONS: dict[str, dict[str, str]] = {
    "L": coding(INTERPRETATION, "L", "Low"),
    "N": coding(INTERPRETATION, "N", "Normal"),
    "H": coding(INTERPRETATION, "H", "High"),
}

# --- labs (LOINC long common names) -------------------------------------------------------
LAB_CODES: dict[str, dict[str, str]] = {
    units.VITAMIN_D_25OH: coding(
        LOINC, "62292-8", "25-Hydroxyvitamin D2+25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma"
    ),
    units.LAB_CALCIUM: coding(LOINC, "17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
    units.PTH: coding(LOINC, "2731-8", "Parathyrin.intact [Mass/volume] in Serum or Plasma"),
    units.PHOSPHATE: coding(LOINC, "2777-1", "Phosphate [Mass/volume] in Serum or Plasma"),
    units.LAB_MAGNESIUM: coding(LOINC, "19123-9", "Magnesium [Mass/volume] in Serum or Plasma"),
    units.LAB_POTASSIUM: coding(LOINC, "2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
}

# --- units: the diary's spelling -> UCUM ----------------------------------------------------
UCUM_CODES: dict[str, str] = {
    "ng/mL": "ng/mL",
    "nmol/L": "nmol/L",
    "mg/dL": "mg/dL",
    "mmol/L": "mmol/L",
    "pg/mL": "pg/mL",
    "pmol/L": "pmol/L",
    "ng/L": "ng/L",
    "mEq/L": "meq/L",
    "IU": "[iU]",
    "ug": "ug",
    "mg": "mg",
    "g": "g",
}

SUPPLEMENT_TEXT: dict[str, str] = {
    units.VITAMIN_D3: "Vitamin D3 (cholecalciferol)",
    units.VITAMIN_D2: "Vitamin D2 (ergocalciferol)",
    units.MAGNESIUM: "Magnesium",
    units.CALCIUM: "Calcium",
    units.POTASSIUM: "Potassium",
    units.OTHER: "Other supplement",
}


def quantity(value: float, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": UCUM_CODES[unit]}
