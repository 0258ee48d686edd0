// The diary forms' state and its mapping to and from the API, with no DOM and no store, so
// it is tested on its own (entry-payloads.test.ts). A number box holds text: an empty box
// is "" in the form and null (or absent) in the payload. Date-times are the device's local
// time in the form (<input type="datetime-local">) and ISO instants in the payload.
import {
  DOSE_UNITS,
  type DoseUnit,
  type Inputs,
  type Kind as AnyKind,
  LAB_UNITS,
  type Analyte,
  type Frequency,
  type LabUnit,
  type MuscleGroup,
  type Outputs,
  type Phase,
  type Regimen,
  type RegimenTemplate,
  type Side,
  type SkinExposed,
  type Supplement,
  type Trigger,
} from "../api/diary";
import { addDays, fromLocalInput, toLocalInput } from "../ui/time";

/** The kinds a form edits (a skip is one tap on "Today's doses", not a form). */
export type Kind = Exclude<AnyKind, "skip">;

/** What each kind's form holds. */
export interface Forms {
  episode: {
    occurred_at: string;
    muscle_group: MuscleGroup;
    side: Side;
    severity: string;
    duration_minutes: string;
    during_sleep: boolean;
    woke_patient: boolean;
    trigger: Trigger;
    notes: string;
  };
  checkin: { local_date: string; weakness: string; fatigue: string; bone_pain: string; twitching: string; no_cramps: boolean; notes: string };
  sun: { started_at: string; minutes: string; skin_exposed: SkinExposed[]; sunscreen: boolean; uv_index: string; notes: string };
  dose: { taken_at: string; supplement: Supplement; amount: string; unit: DoseUnit; regimen_id: string; notes: string };
  regimen: {
    supplement: Supplement;
    amount: string;
    unit: DoseUnit;
    frequency: Frequency;
    weekdays: string[]; // ISO weekday numbers, as the checkboxes' values
    start_date: string;
    end_date: string;
    phase: Phase;
    notes: string;
  };
  lab: { analyte: Analyte; value: string; unit: LabUnit; collected_on: string; notes: string };
}

/** What a new form starts from: now, the patient's today, their units and last cramp. */
export interface FormContext {
  now: Date;
  today: string;
  vitaminDUnit: LabUnit;
  last: { muscle_group: MuscleGroup; severity: string; side: Side };
}

/** A stored row or a queued payload (possibly partial, as a queued PATCH is). */
export type Source<K extends Kind> = Outputs[K] | Partial<Inputs[K]>;

const EMPTY: { [K in Kind]: (c: FormContext) => Forms[K] } = {
  episode: (c) => ({
    occurred_at: toLocalInput(c.now),
    muscle_group: c.last.muscle_group,
    side: c.last.side,
    severity: c.last.severity,
    duration_minutes: "",
    during_sleep: false,
    woke_patient: false,
    trigger: "unknown",
    notes: "",
  }),
  checkin: (c) => ({ local_date: c.today, weakness: "", fatigue: "", bone_pain: "", twitching: "", no_cramps: false, notes: "" }),
  sun: (c) => ({ started_at: toLocalInput(c.now), minutes: "20", skin_exposed: ["face_hands"], sunscreen: false, uv_index: "", notes: "" }),
  dose: (c) => ({ taken_at: toLocalInput(c.now), supplement: "vitamin_d3", amount: "", unit: "IU", regimen_id: "", notes: "" }),
  regimen: (c) => ({
    supplement: "vitamin_d3",
    amount: "",
    unit: "IU",
    frequency: "daily",
    weekdays: [],
    start_date: c.today,
    end_date: "",
    phase: "maintenance",
    notes: "",
  }),
  lab: (c) => ({ analyte: "vitamin_d_25oh", value: "", unit: c.vitaminDUnit, collected_on: c.today, notes: "" }),
};

export function emptyForm<K extends Kind>(kind: K, context: FormContext): Forms[K] {
  return EMPTY[kind](context);
}

const numberOrNull = (v: string) => (v === "" ? null : Number(v));

const PAYLOAD: { [K in Kind]: (f: Forms[K]) => Inputs[K] } = {
  episode: (f) => ({
    occurred_at: fromLocalInput(f.occurred_at),
    muscle_group: f.muscle_group,
    side: f.side,
    severity: Number(f.severity),
    duration_seconds: f.duration_minutes === "" ? null : Math.round(Number(f.duration_minutes) * 60),
    during_sleep: f.during_sleep,
    woke_patient: f.woke_patient,
    trigger: f.trigger,
    notes: f.notes,
  }),
  checkin: (f) => ({
    local_date: f.local_date,
    weakness: numberOrNull(f.weakness),
    fatigue: numberOrNull(f.fatigue),
    bone_pain: numberOrNull(f.bone_pain),
    twitching: numberOrNull(f.twitching),
    no_cramps: f.no_cramps,
    notes: f.notes,
  }),
  sun: (f) => ({
    started_at: fromLocalInput(f.started_at),
    minutes: Number(f.minutes),
    skin_exposed: f.skin_exposed,
    sunscreen: f.sunscreen,
    uv_index: f.uv_index === "" ? null : f.uv_index,
    notes: f.notes,
  }),
  dose: (f) => ({
    taken_at: fromLocalInput(f.taken_at),
    supplement: f.supplement,
    amount: f.amount,
    unit: f.unit,
    regimen_id: f.regimen_id || null,
    notes: f.notes,
  }),
  regimen: (f) => ({
    supplement: f.supplement,
    amount: f.amount,
    unit: f.unit,
    frequency: f.frequency,
    weekdays: f.frequency === "daily" ? [] : f.weekdays.map(Number),
    start_date: f.start_date,
    end_date: f.end_date || null,
    phase: f.phase,
    notes: f.notes,
  }),
  lab: (f) => ({ analyte: f.analyte, value: f.value, unit: f.unit, collected_on: f.collected_on, notes: f.notes }),
};

/** Form state -> the API's payload for the kind. */
export function toPayload<K extends Kind>(kind: K, form: Forms[K]): Inputs[K] {
  return PAYLOAD[kind](form);
}

const text = (v: unknown) => (v === null || v === undefined ? "" : String(v));
// "5000.000" (a decimal as the API writes it) shows as "5000"; an empty box stays empty.
const decimal = (v: unknown) => (v === null || v === undefined || v === "" ? "" : String(Number(v)));

const FORM: { [K in Kind]: (e: Source<K>, d: Forms[K]) => Forms[K] } = {
  episode: (e, d) => ({
    ...d,
    ...pick(e, ["muscle_group", "side", "during_sleep", "woke_patient", "trigger", "notes"]),
    occurred_at: e.occurred_at ? toLocalInput(e.occurred_at) : d.occurred_at,
    severity: text(e.severity),
    duration_minutes: e.duration_seconds ? String(Math.round(e.duration_seconds / 60)) : "",
  }),
  checkin: (e, d) => ({
    ...d,
    ...pick(e, ["local_date", "no_cramps", "notes"]),
    weakness: text(e.weakness),
    fatigue: text(e.fatigue),
    bone_pain: text(e.bone_pain),
    twitching: text(e.twitching),
  }),
  sun: (e, d) => ({
    ...d,
    ...pick(e, ["skin_exposed", "sunscreen", "notes"]),
    started_at: e.started_at ? toLocalInput(e.started_at) : d.started_at,
    minutes: text(e.minutes),
    uv_index: text(e.uv_index),
  }),
  dose: (e, d) => ({
    ...d,
    ...(pick(e, ["supplement", "unit", "notes"]) as Partial<Forms["dose"]>),
    taken_at: e.taken_at ? toLocalInput(e.taken_at) : d.taken_at,
    amount: decimal(e.amount),
    regimen_id: text(e.regimen_id),
  }),
  regimen: (e, d) => ({
    ...d,
    ...(pick(e, ["supplement", "unit", "frequency", "start_date", "phase", "notes"]) as Partial<Forms["regimen"]>),
    amount: decimal(e.amount),
    weekdays: (e.weekdays ?? []).map(String),
    end_date: text(e.end_date),
  }),
  lab: (e, d) => ({
    ...d,
    ...(pick(e, ["analyte", "unit", "collected_on", "notes"]) as Partial<Forms["lab"]>),
    value: decimal(e.value),
  }),
};

/** The fields of `e` that are present, for those that go into the form as they are. */
function pick<T extends object, F extends keyof T>(e: T, fields: F[]): Partial<Pick<T, F>> {
  const out: Partial<Pick<T, F>> = {};
  for (const f of fields) if (e[f] !== undefined) out[f] = e[f];
  return out;
}

/** An API row or a queued payload -> form state; what it lacks comes from `empty`. */
export function toForm<K extends Kind>(kind: K, entry: Source<K>, empty: Forms[K]): Forms[K] {
  return FORM[kind](entry, empty);
}

/** The first unit is each supplement's and each test's default. */
export function withSupplement<F extends Forms["dose"] | Forms["regimen"]>(form: F, supplement: Supplement): F {
  return { ...form, supplement, unit: DOSE_UNITS[supplement][0] };
}

export function withAnalyte(form: Forms["lab"], analyte: Analyte): Forms["lab"] {
  return { ...form, analyte, unit: LAB_UNITS[analyte][0] };
}

/** A dose pre-filled from a regimen: its supplement, amount and unit. */
export function regimenDose(r: Regimen): Pick<Forms["dose"], "regimen_id" | "supplement" | "amount" | "unit"> {
  return { regimen_id: r.id, supplement: r.supplement as Supplement, amount: decimal(r.amount), unit: r.unit as DoseUnit };
}

/** A regimen form filled from a protocol template; a weekly one falls on the start date's weekday. */
export function applyTemplate(form: Forms["regimen"], t: RegimenTemplate): Forms["regimen"] {
  const weekday = String(new Date(`${form.start_date}T12:00:00`).getDay() || 7);
  return {
    ...form,
    supplement: t.supplement as Supplement,
    amount: String(t.amount),
    unit: t.unit as DoseUnit,
    frequency: t.frequency as Frequency,
    weekdays: t.frequency === "weekly" ? [weekday] : [],
    phase: t.phase as Phase,
    end_date: t.duration_weeks ? addDays(form.start_date, t.duration_weeks * 7 - 1) : "",
  };
}
