// Charts drawn with uPlot: weekly spasm rate with the supplementation start and the
// loading lag marked, vitamin D and sun overlays; 25(OH)D points over the category bands;
// the treatment-response verdict in words. Each chart also has its numbers as a table.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { label, unitLabel } from "../api/diary";
import { ApiError } from "../api/http";
import { type RegimenAdherence, adherence } from "../api/reminders";
import { type LabPoint, type SpasmSeries, type TreatmentResponse, type Verdict, spasmSeries, toUnit, treatmentResponse } from "../api/trends";
import { onSynced } from "../offline/client";
import { addDays, formatDay, todayIn } from "../ui/time";

// Theme colours are light-dark() pairs: let the browser resolve one through a probe element.
let probe: HTMLElement | null = null;
function css(name: string): string {
  if (!probe) {
    probe = document.createElement("span");
    probe.style.display = "none";
    document.body.appendChild(probe);
  }
  probe.style.color = `var(${name})`;
  return getComputedStyle(probe).color || "#888";
}
const toTs = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`) / 1000;
const fmt = (n: number | null | undefined, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? "–" : n.toLocaleString("en", { maximumFractionDigits: digits }));

function useWidth(ref: { current: HTMLElement | null }): number {
  const [width, setWidth] = useState(320);
  useEffect(() => {
    if (!ref.current) return;
    const observer = new ResizeObserver(([e]) => setWidth(Math.max(260, Math.floor(e.contentRect.width))));
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, []);
  return width;
}

function UPlot({ options, data, label }: { options: Omit<uPlot.Options, "width">; data: uPlot.AlignedData; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  useEffect(() => {
    if (!box.current) return;
    const plot = new uPlot({ ...options, width } as uPlot.Options, data, box.current);
    return () => plot.destroy();
  }, [options, data, width]);
  return <div ref={box} class="uplot-box" role="img" aria-label={label} />;
}

/** Vertical line at the supplementation start; the loading lag shaded after it. */
function markersPlugin(start: string | null, lagDays: number): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        if (!start) return;
        const ctx = u.ctx;
        const x0 = u.valToPos(toTs(start), "x", true);
        const x1 = u.valToPos(toTs(addDays(start, lagDays)), "x", true);
        const { top, height, left, width } = u.bbox;
        ctx.save();
        ctx.fillStyle = css("--lag");
        const a = Math.max(left, x0);
        const b = Math.min(left + width, x1);
        if (b > a) ctx.fillRect(a, top, b - a, height);
        if (x0 >= left && x0 <= left + width) {
          ctx.strokeStyle = css("--accent");
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x0, top);
          ctx.lineTo(x0, top + height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

export function SpasmChart({ series }: { series: SpasmSeries }) {
  const weeks = series.weeks;
  const data: uPlot.AlignedData = [
    weeks.map((w) => toTs(w.start)),
    weeks.map((w) => w.rate),
    weeks.map((w) => w.vitaminDPerDay),
    weeks.map((w) => w.sunMinutesPerDay),
  ];
  const fg = css("--fg-muted");
  const axis = { stroke: fg, grid: { stroke: css("--grid") }, ticks: { stroke: css("--grid") } };
  const options: Omit<uPlot.Options, "width"> = {
    height: 240,
    cursor: { points: { show: false } },
    // Half a week of room each side, so the first and last bars are whole.
    scales: { x: { time: true, range: (_u, min, max) => [min - 3.5 * 86400, max + 3.5 * 86400] }, rate: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] }, iu: { range: (_u, _min, max) => [0, Math.max(1000, max ?? 0)] }, sun: { range: (_u, _min, max) => [0, Math.max(30, max ?? 0)] } },
    axes: [
      { ...axis, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleDateString([], { day: "numeric", month: "short", timeZone: "UTC" })) },
      { ...axis, scale: "rate", label: "cramps / day", size: 48 },
      { ...axis, scale: "iu", side: 1, label: "vitamin D IU/day", size: 56, grid: { show: false } },
    ],
    series: [
      { label: "Week of", value: (_u, v) => (v == null ? "–" : new Date(v * 1000).toLocaleDateString([], { day: "numeric", month: "short", timeZone: "UTC" })) },
      { label: "Cramps per observed day", scale: "rate", stroke: css("--danger"), fill: css("--danger-fill"), width: 2, paths: uPlot.paths.bars!({ size: [0.6, 40] }), points: { show: false } },
      { label: "Vitamin D (IU/day)", scale: "iu", stroke: css("--accent"), width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } },
      { label: "Sun (min/day)", scale: "sun", stroke: css("--sun"), width: 2, dash: [4, 4], points: { show: false } },
    ],
    plugins: [markersPlugin(series.supplementStart, series.lagDays)],
  };
  const total = weeks.reduce((s, w) => s + w.episodes, 0);
  return (
    <figure class="chart" data-testid="spasm-chart">
      <figcaption>
        <strong>Cramps per observed day, by week</strong>
        {series.supplementStart && (
          <span class="muted">
            {" "}Dashed line: vitamin D started {formatDay(series.supplementStart)}; shaded: the first {series.lagDays} days while levels rise.
          </span>
        )}
      </figcaption>
      <UPlot options={options} data={data} label={`Weekly cramp rate over ${weeks.length} weeks, ${total} cramps in all.`} />
      <details>
        <summary>Show as a table</summary>
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Weekly numbers">
          <table>
            <thead>
              <tr><th scope="col">Week of</th><th scope="col">Cramps</th><th scope="col">Days logged</th><th scope="col">Per day</th><th scope="col">Vit. D IU/day</th><th scope="col">Sun min/day</th></tr>
            </thead>
            <tbody>
              {weeks.map((w) => (
                <tr data-week={w.start}>
                  <td>{formatDay(w.start)}</td><td class="episodes">{w.episodes}</td><td>{w.reportedDays}</td><td>{fmt(w.rate)}</td><td>{fmt(w.vitaminDPerDay, 0)}</td><td>{fmt(w.sunMinutesPerDay, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

const BANDS: [number, number, string, string][] = [
  [0, 20, "--band-deficient", "deficient (< 20 ng/mL)"],
  [20, 30, "--band-insufficient", "insufficient (20-30)"],
  [30, 100, "--band-sufficient", "sufficient (30-100)"],
  [100, 1000, "--band-high", "high (> 100)"],
];

export function LabChart({ labs, unit }: { labs: LabPoint[]; unit: string }) {
  if (!labs.length) return <p class="muted">No 25(OH)D results yet. Add one under Log → Lab result.</p>;
  const sorted = [...labs].sort((a, b) => (a.date < b.date ? -1 : 1));
  const max = Math.max(120, ...sorted.map((l) => l.ngPerMl + 10));
  const data: uPlot.AlignedData = [sorted.map((l) => toTs(l.date)), sorted.map((l) => toUnit(l.ngPerMl, unit))];
  const axis = { stroke: css("--fg-muted"), grid: { stroke: css("--grid") }, ticks: { stroke: css("--grid") } };
  const first = toTs(sorted[0].date);
  const last = toTs(sorted[sorted.length - 1].date);
  const options: Omit<uPlot.Options, "width"> = {
    height: 200,
    cursor: { points: { show: false } },
    legend: { show: false },
    scales: { x: { time: true, range: [first - 30 * 86400, last + 30 * 86400] }, y: { range: [0, toUnit(max, unit)] } },
    axes: [{ ...axis, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleDateString([], { month: "short", year: "numeric", timeZone: "UTC" })) }, { ...axis, label: unit, size: 48 }],
    series: [{}, { label: `25(OH)D (${unit})`, stroke: css("--fg"), width: 0, paths: () => null, points: { show: true, size: 10, fill: css("--fg"), stroke: css("--bg") } }],
    hooks: {
      drawClear: [
        (u) => {
          const ctx = u.ctx;
          const { left, width } = u.bbox;
          for (const [lo, hi, color] of BANDS) {
            const y0 = u.valToPos(toUnit(Math.min(hi, max), unit), "y", true);
            const y1 = u.valToPos(toUnit(lo, unit), "y", true);
            ctx.fillStyle = css(color);
            ctx.fillRect(left, y0, width, y1 - y0);
          }
        },
      ],
    },
  };
  return (
    <figure class="chart" data-testid="lab-chart">
      <figcaption>
        <strong>Serum 25(OH)D</strong>
        <span class="legend-bands">
          {BANDS.map(([, , color, text]) => (
            <span><i style={{ background: `var(${color})` }} />{text}</span>
          ))}
        </span>
      </figcaption>
      <UPlot options={options} data={data} label={`${sorted.length} vitamin D results; latest ${fmt(toUnit(sorted[sorted.length - 1].ngPerMl, unit), 1)} ${unit}, ${sorted[sorted.length - 1].category}.`} />
      <details>
        <summary>Show as a table</summary>
        <table>
          <thead><tr><th scope="col">Date</th><th scope="col">Value ({unit})</th><th scope="col">Category</th></tr></thead>
          <tbody>{sorted.map((l) => <tr><td>{formatDay(l.date)}</td><td>{fmt(toUnit(l.ngPerMl, unit), 1)}</td><td>{l.category}</td></tr>)}</tbody>
        </table>
      </details>
    </figure>
  );
}

const VERDICT_TITLE: Record<Verdict, string> = {
  improved: "Cramps became less frequent",
  worsened: "Cramps became more frequent",
  no_clear_change: "No clear change yet",
  not_enough_data: "Not enough data yet",
};

export function Verdict({ result }: { result: TreatmentResponse | null }) {
  if (!result)
    return (
      <section class="card verdict" aria-labelledby="verdict-title">
        <h2 id="verdict-title">Did vitamin D help?</h2>
        <p class="muted">The before-and-after comparison is not available on this server yet.</p>
      </section>
    );
  const r = result;
  return (
    <section class={`card verdict ${r.verdict}`} aria-labelledby="verdict-title" data-verdict={r.verdict}>
      <h2 id="verdict-title">{VERDICT_TITLE[r.verdict] ?? r.verdict.replace(/_/g, " ")}</h2>
      {r.sentence && <p>{r.sentence}</p>}
      <dl class="numbers">
        <div><dt>Before</dt><dd>{fmt(r.before.episodes, 0)} cramps in {fmt(r.before.reportedDays, 0)} days ({fmt(r.before.rate)} a day)</dd></div>
        <div><dt>After{r.lagDays ? ` (first ${r.lagDays} days left out)` : ""}</dt><dd>{fmt(r.after.episodes, 0)} cramps in {fmt(r.after.reportedDays, 0)} days ({fmt(r.after.rate)} a day)</dd></div>
        {r.rateRatio !== null && (
          <div><dt>Rate ratio (after / before)</dt><dd>{fmt(r.rateRatio, 3)}{r.ciLow !== null && ` (95% CI ${fmt(r.ciLow, 3)} to ${r.ciHigh === null ? "∞" : fmt(r.ciHigh, 3)})`}{r.pValue !== null && `, p = ${fmt(r.pValue, 4)}`}</dd></div>
        )}
        {r.severityChange !== null && <div><dt>Change in mean severity</dt><dd>{r.severityChange > 0 ? "+" : ""}{fmt(r.severityChange, 1)}</dd></div>}
        {r.adherence !== null && <div><dt>Doses taken as planned</dt><dd>{fmt(r.adherence * 100, 0)}%</dd></div>}
        {(r.before.vitaminD !== null || r.after.vitaminD !== null) && <div><dt>25(OH)D before → after</dt><dd>{fmt(r.before.vitaminD, 1)} → {fmt(r.after.vitaminD, 1)} ng/mL</dd></div>}
      </dl>
    </section>
  );
}

export function Adherence({ rows }: { rows: RegimenAdherence[] }) {
  if (!rows.length) return null;
  return (
    <section class="card" aria-labelledby="adherence-title" data-testid="adherence">
      <h2 id="adherence-title">Doses taken as planned (12 weeks)</h2>
      <ul class="plain">
        {rows.map((r) => (
          <li class="row">
            <span>{label(r.supplement)} {Number(r.amount).toLocaleString("en")} {unitLabel(r.unit)} {r.frequency}</span>
            <span><strong>{r.rate === null ? "–" : `${Math.round(r.rate * 100)}%`}</strong> <small class="muted">({r.taken} of {r.scheduled})</small></span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The verdict and both charts for the patient (no id) or a linked patient (clinician). */
export function TrendPanel({ patientId, unit }: { patientId?: string; unit: string }) {
  const [weeks, setWeeks] = useState(12);
  const [series, setSeries] = useState<SpasmSeries | null>(null);
  const [verdict, setVerdict] = useState<TreatmentResponse | null | undefined>(undefined);
  const [doses, setDoses] = useState<RegimenAdherence[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => onSynced(() => setTick((t) => t + 1)), []);
  useEffect(() => {
    const to = todayIn(undefined);
    const from = addDays(to, -7 * weeks);
    spasmSeries({ patientId, from, to }).then(setSeries, setError);
    treatmentResponse(patientId).then(setVerdict, () => setVerdict(null));
    adherence(patientId).then(setDoses, () => setDoses([]));
  }, [patientId, weeks, tick]);
  return (
    <>
      {verdict !== undefined && <Verdict result={verdict} />}
      <Adherence rows={doses} />
      <div class="toolbar">
        <label for="chart-range">Period</label>
        <select id="chart-range" value={String(weeks)} onChange={(e) => setWeeks(Number((e.target as HTMLSelectElement).value))}>
          <option value="12">12 weeks</option>
          <option value="26">6 months</option>
          <option value="52">1 year</option>
          <option value="104">2 years</option>
        </select>
      </div>
      {error instanceof ApiError && <p class="form-error" role="alert">{error.offline ? "Offline: charts need the connection." : error.message}</p>}
      {!series && !error && <p aria-busy="true">Loading…</p>}
      {series && <SpasmChart series={series} />}
      {series && <LabChart labs={series.labs} unit={unit} />}
    </>
  );
}
