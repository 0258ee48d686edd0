// The clinician dashboard (GET /api/v1/clinician/patients): its field names are read here
// only, mapped into the row the table draws.
import { get } from "./http";
import type { components } from "./schema.gen";

type S = components["schemas"];
export type Flag = S["FlagOutput"];
export type FlagCode = S["FlagOutputCodeEnum"];

export interface PatientRow {
  patientId: string;
  updating: boolean; // the server's summary is being recomputed
  name: string;
  email: string;
  lastEntry: string | null;
  episodes28: number | null;
  episodesPrev28: number | null;
  verdict: S["VerdictEnum"] | null;
  adherence28: number | null; // 0..1
  vitaminD: number | null; // ng/mL
  vitaminDCategory: string | null;
  flags: Flag[];
}

const n = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));

/** One row of GET clinician/patients, as the API answers it. */
export function toPatientRow(raw: S["DashboardRowOutput"]): PatientRow {
  const p = raw.patient;
  const lab = raw.latest_vitamin_d;
  return {
    patientId: String(p.id),
    updating: raw.summary_status === "updating",
    name: p.name || p.email,
    email: p.email,
    lastEntry: raw.last_reported_day ?? null,
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
    const page: S["PaginatedDashboardRowOutputList"] = await get<S["PaginatedDashboardRowOutputList"]>(url);
    out.push(...page.results.map(toPatientRow));
    url = page.next ?? null;
  }
  return out;
}

export const FLAG_LABEL: Record<FlagCode, string> = {
  no_reports_7_days: "Nothing reported for 7 days",
  worsening: "Worsening",
  low_adherence: "Adherence under 80%",
  vitamin_d_below_20: "25(OH)D under 20",
  vitamin_d_above_100: "25(OH)D over 100",
  secondary_hyperparathyroidism_pattern: "Low 25(OH)D with high PTH",
  low_calcium: "Low calcium",
  high_calcium_on_supplementation: "High calcium on vitamin D",
  low_phosphate: "Low phosphate",
  high_single_dose: "High single dose",
  high_weekly_total: "High weekly vitamin D",
  above_daily_limit: "Mineral above daily limit",
  retest_due: "25(OH)D re-test due",
  no_maintenance_after_loading: "No maintenance after loading",
};
export const flagLabel = (f: Flag) => FLAG_LABEL[f.code] ?? f.code.replace(/_/g, " ");
