// Clinician screens: two-factor setup (required before any patient data), the dashboard
// of linked patients (sortable, flagged first), and a read-only patient page.
import { useEffect, useMemo, useState } from "preact/hooks";
import * as auth from "../api/auth";
import { type PatientProfile, patientProfile, redeemInvite } from "../api/care";
import { type PatientRow, dashboard, flagLabel } from "../api/dashboard";
import { type Outputs, label, listAll, num } from "../api/diary";
import { ApiError } from "../api/http";
import { type Channel, type Reminder, listPatientReminders } from "../api/reminders";
import type { Verdict } from "../api/trends";
import { TrendPanel } from "../charts/charts";
import { loadSession } from "../session";
import { toast, useStore } from "../store";
import { FormError, Input, fieldErrors, useAction, useLatest } from "../ui/form";
import { RecoveryCodeList } from "../ui/recovery-codes";
import { formatDay } from "../ui/time";

export function MfaSetup() {
  const [setup, setSetup] = useState<auth.TotpSetup | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [needPassword, setNeedPassword] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  useEffect(() => {
    auth.totpStatus().then(setSetup, setError);
  }, []);
  const activate = useAction(async () => {
    if (needPassword) {
      const state = await auth.reauthenticate(password);
      if (!state.authenticated) throw new ApiError(400, "invalid", "That password is not right.");
      setNeedPassword(false);
    }
    const result = await auth.totpActivate(code);
    if (result === "reauthenticate") {
      setNeedPassword(true);
      throw new ApiError(401, "reauthenticate", "For your security, type your password again.");
    }
    toast("Two-factor authentication is on.");
    // Show the recovery codes before the session (now with two-factor) moves on.
    const saved = await auth.recoveryCodes().catch(() => null);
    if (Array.isArray(saved) && saved.length) setCodes(saved);
    else await loadSession();
  });
  const done = useAction(loadSession);
  if (codes)
    return (
      <main id="main">
        <h1>Save your recovery codes</h1>
        <FormError error={done.error} />
        <section class="card" aria-labelledby="recovery-title">
          <h2 id="recovery-title">Recovery codes</h2>
          <RecoveryCodeList codes={codes} />
          <p class="muted">You can see them again later in Settings.</p>
          <button class="primary wide" onClick={() => done.run()} disabled={done.busy}>I have saved these</button>
        </section>
      </main>
    );
  return (
    <main id="main">
      <h1>Turn on two-factor authentication</h1>
      <p>Patient data is only shown to clinicians who sign in with a second factor. Add this account to an authenticator app, then type the 6-digit code it shows.</p>
      <FormError error={error} />
      {setup?.secret && (
        <section class="card">
          <h2>Your setup key</h2>
          <p class="code secret" data-testid="totp-secret">{setup.secret}</p>
          {setup.totp_url && <p><a href={setup.totp_url}>Open in an authenticator app on this device</a></p>}
        </section>
      )}
      <form onSubmit={(e) => (e.preventDefault(), activate.run())}>
        <FormError error={activate.error} />
        {needPassword && <Input name="password" label="Password" type="password" autocomplete="current-password" value={password} onInput={setPassword} />}
        <Input name="code" label="6-digit code" inputMode="numeric" autocomplete="one-time-code" value={code} onInput={setCode} errors={fieldErrors(activate.error)} />
        <button class="primary wide" disabled={activate.busy}>Turn on</button>
      </form>
    </main>
  );
}

type SortKey = "flags" | "name" | "lastEntry" | "episodes28" | "verdict" | "adherence28" | "vitaminD";
const COLUMNS: [SortKey, string][] = [["name", "Patient"], ["flags", "Flags"], ["lastEntry", "Last entry"], ["episodes28", "Cramps, 28 days"], ["verdict", "Vitamin D helped?"], ["adherence28", "Adherence"], ["vitaminD", "25(OH)D"]];
const VERDICT: Record<Verdict, string> = { improved: "Improved", worsened: "Worsened", no_clear_change: "No clear change", not_enough_data: "Not enough data" };

function compare(a: PatientRow, b: PatientRow, key: SortKey): number {
  const v = (r: PatientRow): string | number => (key === "flags" ? r.flags.length : ((r[key] as any) ?? ""));
  const x = v(a), y = v(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function Dashboard() {
  const [rows, setRows] = useState<PatientRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "flags", desc: true });
  const [code, setCode] = useState("");
  const load = useLatest(dashboard, setRows);
  useEffect(() => void load().catch(setError), []);
  const redeem = useAction(async () => {
    await redeemInvite(code);
    setCode("");
    toast("Patient linked.");
    await load();
  });
  const sorted = useMemo(() => {
    const list = [...(rows ?? [])];
    list.sort((a, b) => {
      const c = compare(a, b, sort.key) * (sort.desc ? -1 : 1);
      return c || a.name.localeCompare(b.name);
    });
    return list;
  }, [rows, sort]);
  const toggle = (key: SortKey) => setSort(sort.key === key ? { key, desc: !sort.desc } : { key, desc: key === "flags" || key === "episodes28" });
  return (
    <main id="main">
      <h1>Your patients</h1>
      <FormError error={error} />
      {rows && rows.length === 0 && <p class="muted">No linked patients yet. Ask a patient for an invite code.</p>}
      {rows && rows.some((r) => r.updating) && <p class="notice">Some summaries are being recalculated; reload in a minute for the latest numbers.</p>}
      {rows && rows.length > 0 && (
        <>
          <div class="toolbar">
            <label for="patients-sort">Sort by</label>
            <select
              id="patients-sort"
              value={`${sort.key}:${sort.desc ? "desc" : "asc"}`}
              onChange={(e) => {
                const [key, dir] = (e.target as HTMLSelectElement).value.split(":");
                setSort({ key: key as SortKey, desc: dir === "desc" });
              }}
            >
              <option value="flags:desc">Flagged first</option>
              <option value="name:asc">Name</option>
              <option value="lastEntry:asc">Longest without entries</option>
              <option value="episodes28:desc">Most cramps (28 days)</option>
              <option value="adherence28:asc">Lowest adherence</option>
              <option value="vitaminD:asc">Lowest 25(OH)D</option>
            </select>
          </div>
          <table class="patients" data-testid="patients-table">
            <caption class="visually-hidden">Linked patients, flagged first</caption>
            <thead>
              <tr>
                {COLUMNS.map(([key, text]) => (
                  <th scope="col" aria-sort={sort.key === key ? (sort.desc ? "descending" : "ascending") : undefined}>
                    <button class="sort" onClick={() => toggle(key)}>{text}{sort.key === key ? (sort.desc ? " ▼" : " ▲") : ""}</button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr class={r.flags.length ? "flagged" : ""} data-patient={r.patientId}>
                  <th scope="row"><a href={`/clinician/patients/${r.patientId}`}>{r.name}</a></th>
                  <td data-label="Flags">{r.flags.length ? r.flags.map((f) => <span class="badge invalid" title={f.text}>{flagLabel(f)}</span>) : <span class="muted">none</span>}</td>
                  <td data-label="Last entry">{r.lastEntry ? formatDay(r.lastEntry) : "–"}</td>
                  <td data-label="Cramps, 28 days">{r.episodes28 ?? "–"}{r.episodesPrev28 !== null && <small class="muted"> (28 days before: {r.episodesPrev28})</small>}</td>
                  <td data-label="Vitamin D helped?">{r.verdict ? VERDICT[r.verdict] ?? r.verdict : r.updating ? "updating…" : "–"}</td>
                  <td data-label="Adherence">{r.adherence28 !== null ? `${Math.round(r.adherence28 * 100)}%` : "–"}</td>
                  <td data-label="25(OH)D">{r.vitaminD !== null ? `${num(r.vitaminD)} ng/mL` : "–"}{r.vitaminDCategory && <small class="muted"> {r.vitaminDCategory}</small>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <form class="card redeem" onSubmit={(e) => (e.preventDefault(), redeem.run())}>
        <h2>Add a patient</h2>
        <FormError error={redeem.error} />
        <Input name="code" label="Invite code from the patient" autocomplete="off" value={code} onInput={setCode} errors={fieldErrors(redeem.error)} />
        <button class="primary wide" disabled={redeem.busy || !code.trim()}>Link patient</button>
      </form>
    </main>
  );
}

export function PatientPage({ id }: { id: string }) {
  const { me } = useStore();
  const [profile, setProfile] = useState<PatientProfile | null>(null);
  const [labs, setLabs] = useState<Outputs["lab"][]>([]);
  const [reminders, setReminders] = useState<Reminder[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    patientProfile(id).then(setProfile, setError);
    listAll("lab", { patientId: id }).then(setLabs, () => null);
    listPatientReminders(id).then(setReminders, () => setReminders([]));
  }, [id]);
  if (error) return <main id="main"><h1>Patient</h1><FormError error={error} /><p><a href="/clinician">Back to patients</a></p></main>;
  return (
    <main id="main">
      <p><a href="/clinician">← Patients</a></p>
      <h1>{profile ? profile.name || profile.email : "Patient"}</h1>
      {profile && (
        <p class="muted">
          {profile.email} · {profile.time_zone}
          {profile.date_of_birth && ` · born ${profile.date_of_birth}`}
        </p>
      )}
      <p class="notice">Read only. The patient sees that you opened their diary.</p>
      <TrendPanel patientId={id} unit={me?.vitamin_d_unit ?? "ng/mL"} />
      <section class="card" aria-labelledby="labs-title">
        <h2 id="labs-title">Lab results</h2>
        {labs.length === 0 && <p class="muted">None recorded.</p>}
        <ul class="plain">
          {labs.map((l) => (
            <li class="row"><span>{label(l.analyte)} {num(l.value)} {String(l.unit)}{l.category ? ` (${l.category})` : ""}</span><small class="muted">{formatDay(String(l.collected_on))}</small></li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="reminders-title" data-testid="patient-reminders">
        <h2 id="reminders-title">Reminders</h2>
        {reminders?.length === 0 && <p class="muted">No reminder schedules.</p>}
        <ul class="plain">
          {reminders?.map((r) => (
            <li class="row">
              <span>
                <strong>{String(r.local_time).slice(0, 5)}</strong> {r.label || "Supplement reminder"}
                <br />
                <small class="muted">{days(r.weekdays)} · {CHANNEL[r.channel] ?? r.channel}</small>
              </span>
              <span class={`badge${r.enabled ? "" : " pending"}`}><span class="visually-hidden">Reminder </span>{r.enabled ? "On" : "Off"}</span>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

const CHANNEL: Record<Channel, string> = { push: "Push", email: "Email", both: "Push and email" };
const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const days = (weekdays: number[] | undefined) =>
  !weekdays?.length || weekdays.length === 7 ? "Every day" : [...weekdays].sort().map((d) => DAY_NAMES[d - 1] ?? d).join(", ");
