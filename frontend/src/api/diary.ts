// The diary API (issue 3): six kinds of row, each with a client-generated UUID. Types and
// enum values come from schema.gen.ts and the unit tables from domain.gen.json, both
// generated from the server (`make api`): nothing here copies a list the server owns.
import { dose_units, lab_units, vitamin_d_supplements } from "./domain.gen.json";
import { type Page, del, get, patch, post, put, query } from "./http";
import type { components } from "./schema.gen";
import {
  analyteEnumValues,
  muscleGroupEnumValues,
  sideEnumValues,
  skinExposedEnumValues,
  supplementEnumValues,
  triggerEnumValues,
} from "./schema.gen";

type S = components["schemas"];

export type Kind = S["DiaryKindEnum"];
export type MuscleGroup = S["MuscleGroupEnum"];
export type Side = S["SideEnum"];
export type Trigger = S["TriggerEnum"];
export type SkinExposed = S["SkinExposedEnum"];
export type Supplement = S["SupplementEnum"];
export type DoseUnit = S["DoseUnitEnum"];
export type Analyte = S["AnalyteEnum"];
export type LabUnit = S["LabUnitEnum"];
export type Frequency = S["FrequencyEnum"];
export type Phase = S["PhaseEnum"];

/** A stored row of each kind, as the API answers it. */
export interface Outputs {
  episode: S["EpisodeOutput"];
  checkin: S["CheckinOutput"];
  sun: S["SunOutput"];
  dose: S["DoseOutput"];
  regimen: S["RegimenOutput"];
  lab: S["LabOutput"];
  skip: S["SkipOutput"];
}

/** What a create (or a PUT) of each kind sends. */
export interface Inputs {
  episode: S["EpisodeInputRequest"];
  checkin: S["CheckinInputRequest"];
  sun: S["SunInputRequest"];
  dose: S["DoseInputRequest"];
  regimen: S["RegimenInputRequest"];
  lab: S["LabInputRequest"];
  skip: S["SkipInputRequest"];
}

export type Entry = Outputs[Kind];
export type Regimen = Outputs["regimen"];
export type RegimenTemplate = S["RegimenTemplateOutput"];

export const PLURAL: Record<Kind, string> = {
  episode: "episodes",
  checkin: "checkins",
  sun: "sun",
  dose: "doses",
  regimen: "regimens",
  lab: "labs",
  skip: "skips",
};

export const KIND_LABEL: Record<Kind, string> = {
  episode: "Cramp",
  checkin: "Check-in",
  sun: "Sun",
  dose: "Dose",
  regimen: "Regimen",
  lab: "Lab result",
  skip: "Skipped dose",
};

export const MUSCLES = muscleGroupEnumValues;
export const SIDES = sideEnumValues;
// The form's default, "unknown", is offered first; the rest in the server's order.
export const TRIGGERS: readonly Trigger[] = ["unknown", ...triggerEnumValues.filter((t) => t !== "unknown")];
export const SKIN = skinExposedEnumValues;
export const SUPPLEMENTS = supplementEnumValues;
export const ANALYTES = analyteEnumValues;
// The units a form offers for each supplement and test; the first is the default. The keys
// are checked here, the values against the schema's unit enums by src/api/domain.test.ts.
export const DOSE_UNITS = (dose_units satisfies Record<Supplement, string[]>) as Record<Supplement, readonly DoseUnit[]>;
export const LAB_UNITS = (lab_units satisfies Record<Analyte, string[]>) as Record<Analyte, readonly LabUnit[]>;
const VITAMIN_D_SUPPLEMENTS: readonly string[] = vitamin_d_supplements;
export const isVitaminD = (supplement: string) => VITAMIN_D_SUPPLEMENTS.includes(supplement);

export const listUrl = (kind: Kind, patientId?: string) =>
  patientId ? `/api/v1/clinician/patients/${patientId}/diary/${PLURAL[kind]}` : `/api/v1/diary/${PLURAL[kind]}`;

// Rows this page has seen, so an edit form opens without the network (offline).
const seen = new Map<string, Entry>();
export const seenEntry = <K extends Kind>(_kind: K, id: string) => seen.get(id) as Outputs[K] | undefined;

/** Every row of a kind in a local-date range (follows the cursor; capped to stay cheap). */
export async function listAll<K extends Kind>(
  kind: K,
  opts: { from?: string; to?: string; patientId?: string; max?: number } = {},
): Promise<Outputs[K][]> {
  const out: Outputs[K][] = [];
  let url: string | null = listUrl(kind, opts.patientId) + query({ from: opts.from, to: opts.to, page_size: 500 });
  while (url && out.length < (opts.max ?? 2000)) {
    const page: Page<Outputs[K]> = await get<Page<Outputs[K]>>(url);
    out.push(...page.results);
    for (const e of page.results) if (!opts.patientId) seen.set(e.id, e);
    url = page.next;
  }
  return out;
}

export const getEntry = <K extends Kind>(kind: K, id: string) => get<Outputs[K]>(`/api/v1/diary/${PLURAL[kind]}/${id}`);
export const putEntry = (kind: Kind, id: string, payload: unknown) =>
  put<Entry>(`/api/v1/diary/${PLURAL[kind]}/${id}`, payload);
export const patchEntry = (kind: Kind, id: string, payload: unknown) =>
  patch<Entry>(`/api/v1/diary/${PLURAL[kind]}/${id}`, payload);
export const deleteEntry = (kind: Kind, id: string) => del<void>(`/api/v1/diary/${PLURAL[kind]}/${id}`);

export type SyncItem = S["SyncItem"];
export type SyncResult = S["SyncResultOutput"];

export const sync = (items: SyncItem[]) =>
  post<S["SyncOutput"]>("/api/v1/diary/sync", { items } satisfies S["SyncInputRequest"]);

export const regimenTemplates = () => get<RegimenTemplate[]>("/api/v1/diary/regimen-templates");

/** A short human description of a row, for history lists. */
export function describe(kind: Kind, e: Record<string, any>): string {
  switch (kind) {
    case "episode":
      return `${label(e.muscle_group)}${e.side && e.side !== "n/a" ? ` (${e.side})` : ""}, severity ${e.severity}/10${
        e.during_sleep ? ", in sleep" : ""
      }`;
    case "checkin":
      return e.no_cramps
        ? "No cramps today"
        : ["weakness", "fatigue", "bone_pain", "twitching"]
            .filter((k) => e[k] !== null && e[k] !== undefined)
            .map((k) => `${label(k)} ${e[k]}`)
            .join(", ") || "Check-in";
    case "sun":
      return `${e.minutes} min outdoors${e.sunscreen ? ", sunscreen" : ""}`;
    case "dose":
      return `${label(e.supplement)} ${num(e.amount)} ${unitLabel(e.unit)}`;
    case "regimen":
      return `${label(e.supplement)} ${num(e.amount)} ${unitLabel(e.unit)} ${e.frequency}, from ${e.start_date}`;
    case "lab":
      return `${label(e.analyte)} ${num(e.value)} ${e.unit}${e.category ? ` (${e.category})` : ""}`;
    case "skip":
      return `Dose skipped on ${e.local_date} (${label(e.reason)})`;
  }
}

const LABELS: Record<string, string> = {
  vitamin_d3: "Vitamin D3",
  vitamin_d2: "Vitamin D2",
  vitamin_d_25oh: "25(OH)D",
  pth: "PTH",
  bone_pain: "Bone pain",
  face_hands: "Face and hands",
  "n/a": "Not applicable",
};

export function label(value: unknown): string {
  const s = String(value ?? "");
  return LABELS[s] ?? s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, " ");
}

export const unitLabel = (unit: string) => (unit === "ug" ? "µg" : unit);

export function num(value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) ? n.toLocaleString("en", { maximumFractionDigits: 2 }) : String(value);
}

/** When a row happened, for sorting and display. */
export function whenOf(kind: Kind, e: Record<string, any>): string {
  const field = { episode: "occurred_at", sun: "started_at", dose: "taken_at" }[kind as string];
  if (field && e[field]) return String(e[field]);
  const day = e.local_date ?? e.start_date ?? e.collected_on;
  return day ? `${day}T12:00:00` : String(e.recorded_at ?? "");
}
