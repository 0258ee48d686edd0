// The clinician dashboard (GET /api/v1/clinician/patients, extended by issue 4). Read
// tolerantly: before issue 4 lands a row is just the link and the patient; the flags and
// numbers appear when the API has them. Field names are read here only.
import { type Page, get } from "./http";

export interface PatientRow {
  patientId: string;
  updating: boolean; // the server's summary is being recomputed
  name: string;
  email: string;
  lastEntry: string | null;
  episodes28: number | null;
  episodesPrev28: number | null;
  verdict: string | null;
  adherence28: number | null; // 0..1
  vitaminD: number | null; // ng/mL
  vitaminDCategory: string | null;
  flags: string[];
}

const n = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));

/** One row of GET clinician/patients, as the API answers it. */
export function toPatientRow(raw: any): PatientRow {
  const p = raw.patient;
  const lab = raw.latest_vitamin_d;
  return {
    patientId: String(p.id),
    updating: raw.summary_status === "updating",
    name: p.name || p.email,
    email: p.email,
    lastEntry: raw.last_entry_date ?? null,
    episodes28: n(raw.episodes_last_28_days),
    episodesPrev28: n(raw.episodes_previous_28_days),
    verdict: raw.verdict ?? null,
    adherence28: n(raw.adherence_28_days),
    vitaminD: n(lab?.value_ng_ml),
    vitaminDCategory: lab?.category ?? null,
    flags: raw.flags,
  };
}

export async function dashboard(): Promise<PatientRow[]> {
  const out: PatientRow[] = [];
  let url: string | null = "/api/v1/clinician/patients?page_size=500";
  while (url) {
    const page: Page<any> = await get<Page<any>>(url);
    out.push(...page.results.map(toPatientRow));
    url = page.next;
  }
  return out;
}

export const FLAG_LABEL: Record<string, string> = {
  no_entries_7_days: "No entries for 7 days",
  worsening: "Worsening",
  low_adherence: "Adherence under 80%",
  vitamin_d_below_20: "25(OH)D under 20",
  vitamin_d_above_100: "25(OH)D over 100",
};
export const flagLabel = (f: string) => FLAG_LABEL[f] ?? f.replace(/_/g, " ");
