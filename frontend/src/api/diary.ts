// The diary API (issue 3): six kinds of row, each with a client-generated UUID.
import { type Page, del, get, patch, post, put, query } from "./http";

export type Kind = "episode" | "checkin" | "sun" | "dose" | "regimen" | "lab";

export const PLURAL: Record<Kind, string> = {
  episode: "episodes",
  checkin: "checkins",
  sun: "sun",
  dose: "doses",
  regimen: "regimens",
  lab: "labs",
};

export const KIND_LABEL: Record<Kind, string> = {
  episode: "Cramp",
  checkin: "Check-in",
  sun: "Sun",
  dose: "Dose",
  regimen: "Regimen",
  lab: "Lab result",
};

export const MUSCLES = ["calf", "thigh", "foot", "hand", "back", "neck", "other"] as const;
export const SIDES = ["left", "right", "both", "n/a"] as const;
export const TRIGGERS = ["unknown", "exercise", "rest", "night", "dehydration"] as const;
export const SKIN = ["face_hands", "arms", "legs", "torso"] as const;
export const SUPPLEMENTS = ["vitamin_d3", "vitamin_d2", "magnesium", "calcium", "potassium", "other"] as const;
export const DOSE_UNITS: Record<string, string[]> = {
  vitamin_d3: ["IU", "ug", "mg"],
  vitamin_d2: ["IU", "ug", "mg"],
  magnesium: ["mg", "g"],
  calcium: ["mg", "g"],
  potassium: ["mg", "g"],
  other: ["mg", "g", "ug", "IU"],
};
export const ANALYTES = ["vitamin_d_25oh", "calcium", "pth", "phosphate", "magnesium", "potassium"] as const;

export interface Entry {
  id: string;
  local_date: string;
  time_zone: string;
  recorded_at: string;
  created_at: string;
  updated_at: string;
  notes: string;
  warnings?: { code: string; message: string }[];
  [field: string]: unknown;
}

export const listUrl = (kind: Kind, patientId?: string) =>
  patientId ? `/api/v1/clinician/patients/${patientId}/diary/${PLURAL[kind]}` : `/api/v1/diary/${PLURAL[kind]}`;

// Rows this page has seen, so an edit form opens without the network (offline).
const seen = new Map<string, Entry>();
export const seenEntry = (id: string) => seen.get(id);

/** Every row of a kind in a local-date range (follows the cursor; capped to stay cheap). */
export async function listAll(
  kind: Kind,
  opts: { from?: string; to?: string; patientId?: string; max?: number } = {},
): Promise<Entry[]> {
  const out: Entry[] = [];
  let url: string | null = listUrl(kind, opts.patientId) + query({ from: opts.from, to: opts.to, page_size: 500 });
  while (url && out.length < (opts.max ?? 2000)) {
    const page: Page<Entry> = await get<Page<Entry>>(url);
    out.push(...page.results);
    for (const e of page.results) if (!opts.patientId) seen.set(e.id, e);
    url = page.next;
  }
  return out;
}

export const putEntry = (kind: Kind, id: string, payload: unknown) =>
  put<Entry>(`/api/v1/diary/${PLURAL[kind]}/${id}`, payload);
export const patchEntry = (kind: Kind, id: string, payload: unknown) =>
  patch<Entry>(`/api/v1/diary/${PLURAL[kind]}/${id}`, payload);
export const deleteEntry = (kind: Kind, id: string) => del<void>(`/api/v1/diary/${PLURAL[kind]}/${id}`);

export interface SyncItem {
  kind: Kind;
  id: string;
  recorded_at: string;
  payload: Record<string, unknown>;
}

export interface SyncResult {
  index: number;
  kind: Kind | null;
  id: string | null;
  status: "created" | "unchanged" | "conflict" | "invalid";
  code: string | null;
  errors: Record<string, string[]>;
  entry: Entry | null;
  warnings: { code: string; message: string }[];
}

export const sync = (items: SyncItem[]) =>
  post<{ results: SyncResult[]; summary: Record<string, number> }>("/api/v1/diary/sync", { items });

export interface RegimenTemplate {
  key: string;
  name: string;
  supplement: string;
  amount: number;
  unit: string;
  frequency: string;
  phase: string;
  duration_weeks: number | null;
  note: string;
}

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

export const LAB_UNITS: Record<string, string[]> = {
  vitamin_d_25oh: ["ng/mL", "nmol/L"],
  calcium: ["mg/dL", "mmol/L"],
  pth: ["pg/mL", "pmol/L", "ng/L"],
  phosphate: ["mg/dL", "mmol/L"],
  magnesium: ["mg/dL", "mmol/L", "mEq/L"],
  potassium: ["mmol/L", "mEq/L"],
};
