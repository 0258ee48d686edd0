"""A patient's diary as a FHIR R4 Bundle of type `collection`. Plain dicts, no Django
queries: the caller hands in the rows (so a worker can stream them and count progress).

- Patient;
- an Observation per episode (category survey): SNOMED CT cramp or spasm and ICD-10-CM
  R25.2, body site, laterality and severity (0-10) as components, `effectivePeriod` from
  the time and duration, the sleep relation (Open mHealth's temporal relationship to
  sleep) and the trigger as text components;
- an Observation per "no cramps" day (value: SNOMED CT None), unless an episode stands on
  that date (DOMAIN.md: the episode wins);
- a MedicationStatement per regimen and a MedicationAdministration per dose, and one with
  status `not-done` (the reason as statusReason) per dose the patient said they skipped;
- a laboratory Observation per lab result (LOINC), in the analyte's canonical unit, with
  the adult reference range and its Low / Normal / High interpretation.

Sun exposure and the check-in's symptom scores are in the CSV and JSON exports only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from diary import labs
from diary.exports import codes
from diary.models import DailyCheckin, DoseSkip, LabResult, SpasmEpisode, SupplementDose, SupplementRegimen

# diary.labs' low / normal / high as HL7 v3 ObservationInterpretation codes.
HL7_FLAG = {labs.LOW: "L", labs.NORMAL: "N", labs.HIGH: "H"}

ISO_WEEKDAYS = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat", 7: "sun"}


def urn(value) -> str:
    return f"urn:uuid:{value}"


def _instant(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _entry(resource: dict) -> dict:
    return {"fullUrl": urn(resource["id"]), "resource": resource}


def _note(notes: str) -> dict:
    return {"note": [{"text": notes}]} if notes else {}


def patient_resource(patient) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": str(patient.id),
        "telecom": [{"system": "email", "value": patient.email}],
    }
    if patient.name:
        resource["name"] = [{"text": patient.name}]
    if patient.date_of_birth:
        resource["birthDate"] = patient.date_of_birth.isoformat()
    return resource


def _sleep_relation(episode: SpasmEpisode) -> str | None:
    if episode.during_sleep:
        return "during sleep"
    if episode.woke_patient:
        return "on waking"
    return None


def episode_resource(episode: SpasmEpisode, subject: dict) -> dict:
    symptom = codes.SPASM if episode.muscle_group in codes.SPASM_MUSCLE_GROUPS else codes.CRAMP
    period = {"start": _instant(episode.occurred_at)}
    if episode.duration_seconds:
        period["end"] = _instant(episode.occurred_at + timedelta(seconds=episode.duration_seconds))
    components = [{"code": {"coding": [codes.SEVERITY], "text": "Severity (0-10)"}, "valueInteger": episode.severity}]
    side = codes.SIDES.get(episode.side)
    if side is not None:
        components.append({"code": {"coding": [codes.LATERALITY]}, "valueCodeableConcept": {"coding": [side]}})
    relation = _sleep_relation(episode)
    if relation is not None:
        components.append(
            {"code": {"text": "Temporal relationship to sleep"}, "valueCodeableConcept": {"text": relation}}
        )
    if episode.trigger != SpasmEpisode.Trigger.UNKNOWN:
        components.append({"code": {"text": "Likely trigger"}, "valueCodeableConcept": {"text": episode.trigger}})
    site = codes.BODY_SITES.get(episode.muscle_group)
    body_site = {"coding": [site]} if site else {}
    body_site["text"] = (
        episode.muscle_group if episode.side in ("n/a", "") else f"{episode.muscle_group}, {episode.side}"
    )
    return {
        "resourceType": "Observation",
        "id": str(episode.id),
        "status": "final",
        "category": [{"coding": [codes.SURVEY]}],
        "code": {"coding": [symptom, codes.CRAMP_AND_SPASM_ICD10CM], "text": symptom["display"]},
        "subject": subject,
        "effectivePeriod": period,
        "issued": _instant(episode.recorded_at),
        "valueCodeableConcept": {"coding": [codes.PRESENT]},
        "bodySite": body_site,
        "component": components,
        **_note(episode.notes),
    }


def no_cramps_resource(checkin: DailyCheckin, subject: dict) -> dict:
    zone = ZoneInfo(checkin.time_zone)
    day: date = checkin.local_date
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone) - timedelta(seconds=1)
    return {
        "resourceType": "Observation",
        "id": str(checkin.id),
        "status": "final",
        "category": [{"coding": [codes.SURVEY]}],
        "code": {"coding": [codes.CRAMP, codes.CRAMP_AND_SPASM_ICD10CM], "text": "Cramps on this day"},
        "subject": subject,
        "effectivePeriod": {"start": _instant(start), "end": _instant(end)},
        "issued": _instant(checkin.recorded_at),
        "valueCodeableConcept": {"coding": [codes.NONE], "text": "No cramps today"},
        **_note(checkin.notes),
    }


def _dose_quantity(amount, unit: str) -> dict:
    return codes.quantity(float(amount), unit)


def regimen_resource(regimen: SupplementRegimen, subject: dict, today: date) -> dict:
    repeat: dict = {"frequency": 1, "period": 1, "periodUnit": "d" if regimen.frequency == "daily" else "wk"}
    if regimen.frequency == "weekdays":
        repeat = {"frequency": 1, "period": 1, "periodUnit": "d"}
    if regimen.weekdays:
        repeat["dayOfWeek"] = [ISO_WEEKDAYS[day] for day in regimen.weekdays]
    period = {"start": regimen.start_date.isoformat()}
    if regimen.end_date:
        period["end"] = regimen.end_date.isoformat()
    if regimen.start_date > today:
        status = "intended"
    elif regimen.end_date and regimen.end_date < today:
        status = "completed"
    else:
        status = "active"
    amount = f"{regimen.amount.normalize():f}"
    schedule = {"daily": "daily", "weekly": "once a week", "weekdays": "on chosen weekdays"}[regimen.frequency]
    return {
        "resourceType": "MedicationStatement",
        "id": str(regimen.id),
        "status": status,
        "medicationCodeableConcept": {"text": codes.SUPPLEMENT_TEXT[regimen.supplement]},
        "subject": subject,
        "effectivePeriod": period,
        "dateAsserted": _instant(regimen.recorded_at),
        "dosage": [
            {
                "text": f"{amount} {regimen.unit} {schedule} ({regimen.phase})",
                "timing": {"repeat": repeat},
                "doseAndRate": [{"doseQuantity": _dose_quantity(regimen.amount, regimen.unit)}],
            }
        ],
        **_note(regimen.notes),
    }


def dose_resource(dose: SupplementDose, subject: dict) -> dict:
    resource = {
        "resourceType": "MedicationAdministration",
        "id": str(dose.id),
        "status": "completed",
        "medicationCodeableConcept": {"text": codes.SUPPLEMENT_TEXT[dose.supplement]},
        "subject": subject,
        "effectiveDateTime": _instant(dose.taken_at),
        "dosage": {"dose": _dose_quantity(dose.amount, dose.unit)},
        **_note(dose.notes),
    }
    if dose.regimen_id:
        resource["supportingInformation"] = [{"reference": urn(dose.regimen_id)}]
    return resource


def skip_resource(skip: DoseSkip, subject: dict) -> dict:
    """A skipped scheduled dose: the regimen's supplement, not given on that local date."""
    return {
        "resourceType": "MedicationAdministration",
        "id": str(skip.id),
        "status": "not-done",
        "statusReason": [{"text": skip.get_reason_display()}],
        "medicationCodeableConcept": {"text": codes.SUPPLEMENT_TEXT[skip.regimen.supplement]},
        "subject": subject,
        "effectiveDateTime": skip.local_date.isoformat(),
        "supportingInformation": [{"reference": urn(skip.regimen_id)}],
        **_note(skip.notes),
    }


def lab_resource(lab: LabResult, subject: dict) -> dict:
    resource = {
        "resourceType": "Observation",
        "id": str(lab.id),
        "status": "final",
        "category": [{"coding": [codes.LABORATORY]}],
        "code": {"coding": [codes.LAB_CODES[lab.analyte]]},
        "subject": subject,
        "effectiveDateTime": lab.collected_on.isoformat(),
        "valueQuantity": codes.quantity(round(lab.value_normalised, 3), lab.normalised_unit),
        **_note(lab.notes),
    }
    # The report's own range when the patient gave it, else the adult default (diary.labs).
    reading = lab.reading
    interval = reading.interval
    resource["referenceRange"] = [
        {
            "low": codes.quantity(interval.low, interval.unit),
            "high": codes.quantity(interval.high, interval.unit),
            "text": f"{'as printed on the report' if interval.source == 'report' else 'adult default'} {interval.text}",
        }
    ]
    resource["interpretation"] = [{"coding": [codes.INTERPRETATIONS[HL7_FLAG[reading.interpretation]]]}]
    return resource


def bundle(
    *,
    patient,
    bundle_id: str,
    timestamp: datetime,
    today: date,
    regimens: Iterable[SupplementRegimen],
    episodes: Iterable[SpasmEpisode],
    checkins: Iterable[DailyCheckin],
    doses: Iterable[SupplementDose],
    skips: Iterable[DoseSkip],
    labs: Iterable[LabResult],
) -> dict:
    subject = {"reference": urn(patient.id)}
    entries = [_entry(patient_resource(patient))]
    entries += [_entry(regimen_resource(r, subject, today)) for r in regimens]
    episode_days: set[date] = set()
    for episode in episodes:
        episode_days.add(episode.local_date)
        entries.append(_entry(episode_resource(episode, subject)))
    entries += [
        _entry(no_cramps_resource(c, subject)) for c in checkins if c.no_cramps and c.local_date not in episode_days
    ]
    entries += [_entry(dose_resource(d, subject)) for d in doses]
    entries += [_entry(skip_resource(s, subject)) for s in skips]
    entries += [_entry(lab_resource(lab, subject)) for lab in labs]
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "collection",
        "timestamp": _instant(timestamp),
        "entry": entries,
    }
