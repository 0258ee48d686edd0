// Trends and treatment response: every path and field name of those endpoints is read
// here and mapped into the shapes the charts draw. The server does all the counting.
import { get, query } from "./http";
import type { components } from "./schema.gen";

type S = components["schemas"];
export type Verdict = S["VerdictEnum"];

export const trendsBase = (patientId?: string) =>
  patientId ? `/api/v1/clinician/patients/${patientId}/trends` : "/api/v1/trends";

export interface WeekPoint {
  start: string; // local date of the bucket's first day
  episodes: number;
  reportedDays: number;
  rate: number | null; // episodes per observed day
  meanSeverity: number | null;
  night: number;
  sunMinutesPerDay: number | null;
  vitaminDPerDay: number | null; // daily-equivalent IU
  adherence: number | null; // 0..1
}

export interface LabPoint {
  date: string;
  ngPerMl: number;
  category: string;
}

export interface SpasmSeries {
  weeks: WeekPoint[];
  labs: LabPoint[];
  supplementStart: string | null;
  lagDays: number;
}

const NMOL_PER_NG = 2.496;
const numOrNull = (v: unknown) => (v === null || v === undefined || v === "" || Number.isNaN(Number(v)) ? null : Number(v));

/** GET trends/spasms?bucket=week: the server counts, in the patient's local dates. */
export async function spasmSeries(opts: { patientId?: string; from: string; to: string }): Promise<SpasmSeries> {
  const data = await get<S["SeriesOutput"]>(`${trendsBase(opts.patientId)}/spasms${query({ bucket: "week", from: opts.from, to: opts.to })}`);
  const weeks: WeekPoint[] = data.buckets.map((b) => ({
    start: String(b.start),
    episodes: Number(b.episodes),
    reportedDays: Number(b.reported_days),
    rate: numOrNull(b.episodes_per_reported_day),
    meanSeverity: numOrNull(b.mean_severity),
    night: Number(b.night_episodes),
    sunMinutesPerDay: Number(b.sun_minutes) / (Number(b.days) || 7),
    vitaminDPerDay: numOrNull(b.vitamin_d_iu_per_day),
    adherence: numOrNull(b.adherence),
  }));
  const labs: LabPoint[] = data.labs
    .filter((l) => l.analyte === "vitamin_d_25oh")
    .map((l) => ({ date: String(l.collected_on), ngPerMl: Number(l.value_normalised), category: String(l.category) }));
  return {
    weeks,
    labs,
    supplementStart: data.supplementation_start ?? null,
    lagDays: Number(data.loading_lag_days),
  };
}

export interface Window {
  from: string | null;
  to: string | null;
  episodes: number | null;
  reportedDays: number | null;
  rate: number | null;
  meanSeverity: number | null;
  nightShare: number | null;
  vitaminD: number | null;
}

export interface TreatmentResponse {
  verdict: Verdict;
  sentence: string;
  startDate: string | null;
  lagDays: number | null;
  before: Window;
  after: Window;
  rateRatio: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  pValue: number | null;
  severityChange: number | null;
  adherence: number | null;
}

/** GET trends/treatment-response: windows, the exact rate comparison and the verdict. */
export async function treatmentResponse(patientId?: string): Promise<TreatmentResponse> {
  const d = await get<S["TreatmentResponseOutput"]>(`${trendsBase(patientId)}/treatment-response`);
  const win = (w: S["WindowOutput"] | null): Window => ({
    from: w?.start ?? null,
    to: w?.end ?? null,
    episodes: numOrNull(w?.episodes),
    reportedDays: numOrNull(w?.reported_days),
    rate: numOrNull(w?.rate_per_reported_day),
    meanSeverity: numOrNull(w?.mean_severity),
    nightShare: numOrNull(w?.night_share),
    vitaminD: null,
  });
  const c: Partial<S["ComparisonOutput"]> = d.comparison ?? {};
  const before = win(d.before);
  const after = win(d.after);
  before.vitaminD = numOrNull(d.vitamin_d_before?.value_ng_ml);
  after.vitaminD = numOrNull(d.vitamin_d_after?.value_ng_ml);
  return {
    verdict: d.verdict,
    sentence: String(d.sentence),
    startDate: d.start ?? null,
    lagDays: numOrNull(d.lag?.days),
    before,
    after,
    rateRatio: numOrNull(c.rate_ratio),
    ciLow: numOrNull(c.ci_low),
    ciHigh: numOrNull(c.ci_high),
    pValue: numOrNull(c.p_value),
    severityChange: numOrNull(d.severity_change),
    adherence: numOrNull(d.adherence_after),
  };
}

export const toUnit = (ngPerMl: number, unit: string) => (unit === "nmol/L" ? ngPerMl * NMOL_PER_NG : ngPerMl);
