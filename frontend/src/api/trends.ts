// Trends and treatment response (issue 4). Built against the issue text while the API
// lands: every path and field name is read here and mapped into the shapes the charts
// draw, so a late change in the API is an edit to this file only. Until the endpoint
// answers, the weekly series is counted here from the diary rows themselves.
import { type Entry, listAll } from "./diary";
import { ApiError, get, query } from "./http";
import { addDays } from "../ui/time";

export const trendsBase = (patientId?: string) =>
  patientId ? `/api/v1/clinician/patients/${patientId}/trends` : "/api/v1/trends";

export interface WeekPoint {
  start: string; // local date of the bucket's first day
  episodes: number;
  observedDays: number;
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
  source: "api" | "diary";
  weeks: WeekPoint[];
  labs: LabPoint[];
  supplementStart: string | null;
  lagDays: number;
}

const NMOL_PER_NG = 2.496;
const numOrNull = (v: unknown) => (v === null || v === undefined || v === "" || Number.isNaN(Number(v)) ? null : Number(v));
const pick = (o: any, ...keys: string[]) => {
  for (const k of keys) if (o?.[k] !== undefined) return o[k];
  return undefined;
};

export async function spasmSeries(opts: { patientId?: string; from: string; to: string }): Promise<SpasmSeries> {
  try {
    const data = await get<any>(`${trendsBase(opts.patientId)}/spasms${query({ bucket: "week", from: opts.from, to: opts.to })}`);
    return fromApi(data);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return fromDiary(opts);
    throw e;
  }
}

function fromApi(data: any): SpasmSeries {
  const buckets: any[] = pick(data, "buckets", "series", "results", "weeks") ?? (Array.isArray(data) ? data : []);
  const overlays = data?.overlays ?? {};
  const byStart = (list: any[] | undefined, ...valueKeys: string[]) => {
    const m = new Map<string, number>();
    for (const x of list ?? []) m.set(String(pick(x, "start", "bucket", "date", "period_start")), Number(pick(x, ...valueKeys)));
    return m;
  };
  const sun = byStart(overlays.sun, "minutes_per_day", "minutes", "value");
  const dose = byStart(overlays.vitamin_d ?? overlays.dose, "daily_equivalent_iu", "iu_per_day", "value");
  const adherence = byStart(overlays.adherence, "adherence", "ratio", "value");
  const weeks: WeekPoint[] = buckets.map((b) => {
    const start = String(pick(b, "start", "bucket", "date", "period_start")).slice(0, 10);
    const episodes = Number(pick(b, "episodes", "episode_count", "count") ?? 0);
    const observedDays = Number(pick(b, "observed_days", "days_observed") ?? 0);
    const rate = numOrNull(pick(b, "episodes_per_observed_day", "rate", "episodes_per_day"));
    const days = Number(pick(b, "days") ?? 7) || 7;
    const sunTotal = numOrNull(pick(b, "sun_minutes") ?? sun.get(start));
    return {
      start,
      episodes,
      observedDays,
      rate: rate ?? (observedDays ? episodes / observedDays : null),
      meanSeverity: numOrNull(pick(b, "mean_severity", "severity_mean")),
      night: Number(pick(b, "night_episodes", "night_count", "night") ?? 0),
      sunMinutesPerDay: numOrNull(pick(b, "sun_minutes_per_day")) ?? (sunTotal === null ? null : sunTotal / days),
      vitaminDPerDay: numOrNull(pick(b, "vitamin_d_iu_per_day", "vitamin_d_daily_iu", "daily_equivalent_iu") ?? dose.get(start)),
      adherence: numOrNull(pick(b, "adherence") ?? adherence.get(start)),
    };
  });
  const labs: LabPoint[] = (pick(data, "labs") ?? overlays.labs ?? [])
    .filter((l: any) => (l.analyte ?? "vitamin_d_25oh") === "vitamin_d_25oh")
    .map((l: any) => ({
      date: String(pick(l, "collected_on", "date", "local_date")),
      ngPerMl: Number(pick(l, "value_ng_ml", "value_normalised", "value")),
      category: String(l.category ?? categoryOf(Number(pick(l, "value_ng_ml", "value_normalised", "value")))),
    }));
  return {
    source: "api",
    weeks,
    labs,
    supplementStart: pick(data, "supplementation_start", "supplement_start", "start_date") ?? null,
    lagDays: Number(pick(data, "loading_lag_days", "lag_days") ?? 14),
  };
}

export function categoryOf(ngPerMl: number): string {
  if (ngPerMl < 20) return "deficient";
  if (ngPerMl < 30) return "insufficient";
  if (ngPerMl <= 100) return "sufficient";
  return "high";
}

/** Monday of the ISO week holding a local date. */
export function weekStart(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return addDays(isoDate, -back);
}

async function fromDiary(opts: { patientId?: string; from: string; to: string }): Promise<SpasmSeries> {
  const range = { from: opts.from, to: opts.to, patientId: opts.patientId };
  const [episodes, checkins, sun, doses, regimens, labs] = await Promise.all([
    listAll("episode", range),
    listAll("checkin", range),
    listAll("sun", range),
    listAll("dose", range),
    listAll("regimen", { patientId: opts.patientId }),
    listAll("lab", { patientId: opts.patientId }),
  ]);
  const weeks = new Map<string, WeekPoint & { days: Set<string>; severitySum: number; sun: number; iu: number }>();
  const bucket = (day: string) => {
    const start = weekStart(day);
    let w = weeks.get(start);
    if (!w) {
      w = { start, episodes: 0, observedDays: 0, rate: null, meanSeverity: null, night: 0, sunMinutesPerDay: null, vitaminDPerDay: null, adherence: null, days: new Set(), severitySum: 0, sun: 0, iu: 0 };
      weeks.set(start, w);
    }
    return w;
  };
  for (let day = weekStart(opts.from); day <= opts.to; day = addDays(day, 7)) bucket(day);
  const observe = (e: Entry) => bucket(String(e.local_date)).days.add(String(e.local_date));
  for (const e of episodes) {
    const w = bucket(String(e.local_date));
    w.episodes += 1;
    w.severitySum += Number(e.severity);
    if (e.during_sleep || e.trigger === "night") w.night += 1;
    observe(e);
  }
  for (const e of [...checkins, ...sun, ...doses]) observe(e);
  for (const s of sun) bucket(String(s.local_date)).sun += Number(s.minutes);
  for (const d of doses) if (String(d.supplement).startsWith("vitamin_d")) bucket(String(d.local_date)).iu += Number(d.amount_normalised);
  const out = [...weeks.values()]
    .sort((a, b) => (a.start < b.start ? -1 : 1))
    .map(({ days, severitySum, sun: sunTotal, iu, ...w }) => ({
      ...w,
      observedDays: days.size,
      rate: days.size ? w.episodes / days.size : null,
      meanSeverity: w.episodes ? severitySum / w.episodes : null,
      sunMinutesPerDay: days.size ? sunTotal / 7 : null,
      vitaminDPerDay: iu / 7,
    }));
  const vitaminD = regimens.filter((r) => String(r.supplement).startsWith("vitamin_d")).map((r) => String(r.start_date)).sort();
  return {
    source: "diary",
    weeks: out,
    labs: labs
      .filter((l) => l.analyte === "vitamin_d_25oh")
      .map((l) => ({ date: String(l.collected_on), ngPerMl: Number(l.value_normalised), category: String(l.category || categoryOf(Number(l.value_normalised))) })),
    supplementStart: vitaminD[0] ?? null,
    lagDays: 14,
  };
}

export interface Window {
  from: string | null;
  to: string | null;
  episodes: number | null;
  observedDays: number | null;
  rate: number | null;
  meanSeverity: number | null;
  nightShare: number | null;
  vitaminD: number | null;
}

export interface TreatmentResponse {
  verdict: "improved" | "worsened" | "no_clear_change" | "not_enough_data" | string;
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

/** null: the server has no treatment-response endpoint yet. */
export async function treatmentResponse(patientId?: string): Promise<TreatmentResponse | null> {
  let d: any;
  try {
    d = await get<any>(`${trendsBase(patientId)}/treatment-response`);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
    throw e;
  }
  const win = (w: any): Window => ({
    from: w?.start ?? w?.from ?? null,
    to: w?.end ?? w?.to ?? null,
    episodes: numOrNull(pick(w, "episodes", "count")),
    observedDays: numOrNull(pick(w, "observed_days")),
    rate: numOrNull(pick(w, "rate_per_observed_day", "rate", "episodes_per_observed_day")),
    meanSeverity: numOrNull(pick(w, "mean_severity")),
    nightShare: numOrNull(pick(w, "night_share", "night_fraction")),
    vitaminD: null,
  });
  const c = d?.comparison ?? d ?? {};
  const lab = (x: any) => numOrNull(x?.value_ng_ml ?? x?.value_normalised ?? x);
  const before = win(pick(d, "before", "before_window"));
  const after = win(pick(d, "after", "after_window"));
  before.vitaminD = lab(d?.vitamin_d_before);
  after.vitaminD = lab(d?.vitamin_d_after);
  return {
    verdict: String(pick(d, "verdict") ?? "not_enough_data"),
    sentence: String(pick(d, "sentence", "message", "summary") ?? ""),
    startDate: pick(d, "start", "start_date") ?? null,
    lagDays: numOrNull(d?.lag?.days ?? pick(d, "lag_days", "loading_lag_days")),
    before,
    after,
    rateRatio: numOrNull(c.rate_ratio),
    ciLow: numOrNull(c.ci_low),
    ciHigh: numOrNull(c.ci_high),
    pValue: numOrNull(c.p_value),
    severityChange: numOrNull(pick(d, "severity_change", "mean_severity_change")),
    adherence: numOrNull(pick(d, "adherence_after", "adherence")),
  };
}

export const toUnit = (ngPerMl: number, unit: string) => (unit === "nmol/L" ? ngPerMl * NMOL_PER_NG : ngPerMl);
