// One form per diary kind, used to log a new row and to edit a stored or pending one.
// Every save goes through the outbox, so a form works the same online and offline.
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  ANALYTES,
  DOSE_UNITS,
  type Entry,
  KIND_LABEL,
  type Kind,
  LAB_UNITS,
  MUSCLES,
  type RegimenTemplate,
  SIDES,
  SKIN,
  SUPPLEMENTS,
  TRIGGERS,
  label,
  listAll,
  regimenTemplates,
  seenEntry,
  unitLabel,
} from "../api/diary";
import { type FieldErrors, get } from "../api/http";
import { PLURAL } from "../api/diary";
import { save } from "../offline/client";
import { getItem } from "../offline/outbox";
import type { OutboxItem } from "../offline/db";
import { navigate } from "../router";
import { getState, toast, useStore } from "../store";
import { Check, Chips, FormError, Input, Select, TextArea } from "../ui/form";
import { addDays, fromLocalInput, toLocalInput, todayIn } from "../ui/time";

type Payload = Record<string, any>;

const SEVERITIES = Array.from({ length: 11 }, (_, i) => [String(i), String(i)] as [string, string]);
const WEEKDAYS: [string, string][] = [["1", "Mon"], ["2", "Tue"], ["3", "Wed"], ["4", "Thu"], ["5", "Fri"], ["6", "Sat"], ["7", "Sun"]];

export function defaults(kind: Kind): Payload {
  const now = toLocalInput(new Date());
  const today = todayIn(getState().me?.time_zone);
  switch (kind) {
    case "episode": {
      const last = lastChoices();
      return { occurred_at: now, muscle_group: last.muscle_group, side: last.side, severity: last.severity, duration_minutes: "", during_sleep: false, woke_patient: false, trigger: "unknown", notes: "" };
    }
    case "checkin":
      return { local_date: today, weakness: "", fatigue: "", bone_pain: "", twitching: "", no_cramps: false, notes: "" };
    case "sun":
      return { started_at: now, minutes: "20", skin_exposed: ["face_hands"], sunscreen: false, uv_index: "", notes: "" };
    case "dose":
      return { taken_at: now, supplement: "vitamin_d3", amount: "", unit: "IU", regimen_id: "", notes: "" };
    case "regimen":
      return { supplement: "vitamin_d3", amount: "", unit: "IU", frequency: "daily", weekdays: [], start_date: today, end_date: "", phase: "maintenance", notes: "" };
    case "lab":
      return { analyte: "vitamin_d_25oh", value: "", unit: getState().me?.vitamin_d_unit ?? "ng/mL", collected_on: today, notes: "" };
  }
}

/** Form state -> the API's payload for the kind. */
export function toPayload(kind: Kind, f: Payload): Payload {
  const n = (v: unknown) => (v === "" || v === null || v === undefined ? null : Number(v));
  switch (kind) {
    case "episode":
      return {
        occurred_at: fromLocalInput(f.occurred_at),
        muscle_group: f.muscle_group,
        side: f.side,
        severity: Number(f.severity),
        duration_seconds: f.duration_minutes === "" || f.duration_minutes == null ? null : Math.round(Number(f.duration_minutes) * 60),
        during_sleep: Boolean(f.during_sleep),
        woke_patient: Boolean(f.woke_patient),
        trigger: f.trigger,
        notes: f.notes ?? "",
      };
    case "checkin":
      return { local_date: f.local_date, weakness: n(f.weakness), fatigue: n(f.fatigue), bone_pain: n(f.bone_pain), twitching: n(f.twitching), no_cramps: Boolean(f.no_cramps), notes: f.notes ?? "" };
    case "sun":
      return { started_at: fromLocalInput(f.started_at), minutes: Number(f.minutes), skin_exposed: f.skin_exposed ?? [], sunscreen: Boolean(f.sunscreen), uv_index: f.uv_index === "" ? null : String(f.uv_index), notes: f.notes ?? "" };
    case "dose":
      return { taken_at: fromLocalInput(f.taken_at), supplement: f.supplement, amount: String(f.amount), unit: f.unit, regimen_id: f.regimen_id || null, notes: f.notes ?? "" };
    case "regimen":
      return {
        supplement: f.supplement,
        amount: String(f.amount),
        unit: f.unit,
        frequency: f.frequency,
        weekdays: f.frequency === "daily" ? [] : (f.weekdays ?? []).map(Number),
        start_date: f.start_date,
        end_date: f.end_date || null,
        phase: f.phase,
        notes: f.notes ?? "",
      };
    case "lab":
      return { analyte: f.analyte, value: String(f.value), unit: f.unit, collected_on: f.collected_on, notes: f.notes ?? "" };
  }
}

/** An API row or queued payload -> form state. */
export function toForm(kind: Kind, e: Payload): Payload {
  const base = { ...defaults(kind), ...e };
  const s = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  switch (kind) {
    case "episode":
      return { ...base, occurred_at: toLocalInput(e.occurred_at), severity: s(e.severity), duration_minutes: e.duration_seconds ? String(Math.round(e.duration_seconds / 60)) : "" };
    case "checkin":
      return { ...base, weakness: s(e.weakness), fatigue: s(e.fatigue), bone_pain: s(e.bone_pain), twitching: s(e.twitching) };
    case "sun":
      return { ...base, started_at: toLocalInput(e.started_at), minutes: s(e.minutes), uv_index: s(e.uv_index) };
    case "dose":
      return { ...base, taken_at: toLocalInput(e.taken_at), amount: s(Number(e.amount)), regimen_id: s(e.regimen_id) };
    case "regimen":
      return { ...base, amount: s(Number(e.amount)), weekdays: (e.weekdays ?? []).map(String), end_date: s(e.end_date) };
    case "lab":
      return { ...base, value: s(Number(e.value)) };
  }
}

// --- last choices for the one-tap cramp -------------------------------------------------------
const LAST_KEY = "spasm-diary:last-cramp";
export function lastChoices(): { muscle_group: string; severity: string; side: string } {
  try {
    return { muscle_group: "calf", severity: "5", side: "n/a", ...JSON.parse(localStorage.getItem(LAST_KEY) ?? "{}") };
  } catch {
    return { muscle_group: "calf", severity: "5", side: "n/a" };
  }
}
export function rememberChoices(c: { muscle_group: string; severity: string; side?: string }): void {
  localStorage.setItem(LAST_KEY, JSON.stringify({ ...lastChoices(), ...c }));
}

/** Tells the patient what happened to a save; answers true when the form can close. */
export function reportSave(state: "sent" | "queued" | "refused", what: string): boolean {
  if (state === "sent") toast(`${what} saved.`);
  else if (state === "queued") toast(`${what} kept on this phone. It will be sent when you are back online.`, "warn");
  return state !== "refused";
}

// --- the form ---------------------------------------------------------------------------------
interface EntryFormProps {
  kind: Kind;
  id?: string; // editing
}

export function EntryFormScreen({ kind, id }: EntryFormProps) {
  const me = useStore().me;
  const [form, setForm] = useState<Payload | null>(id ? null : defaults(kind));
  const [source, setSource] = useState<{ op: "create" | "put"; item?: OutboxItem; entry?: Entry }>({ op: "create" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => {
    if (!id) return;
    (async () => {
      const item = await getItem(id);
      if (item) {
        setSource({ op: item.op === "create" ? "create" : "put", item });
        setErrors(item.errors ?? {});
        setMessage(item.status !== "pending" ? (item.message ?? null) : null);
        setForm(toForm(kind, item.payload));
        return;
      }
      try {
        const entry = seenEntry(id) ?? (await get<Entry>(`/api/v1/diary/${PLURAL[kind]}/${id}`));
        setSource({ op: "put", entry });
        setForm(toForm(kind, entry));
      } catch (e) {
        setLoadError(e);
      }
    })();
  }, [kind, id]);

  if (loadError) return <main id="main"><h1>Edit</h1><FormError error={loadError} /></main>;
  if (!form) return <main id="main"><p aria-busy="true">Loading…</p></main>;

  const set = (k: string) => (v: unknown) => setForm({ ...form, [k]: v });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      const payload = toPayload(kind, form);
      if (kind === "episode") rememberChoices({ muscle_group: form.muscle_group, severity: String(form.severity), side: form.side });
      const result = await save(kind, payload, { id: id ?? source.item?.id, op: source.op });
      if (result.state === "refused") {
        setSource({ op: source.op, item: result.item });
        setErrors(result.item.errors ?? {});
        setMessage(result.item.message ?? "The server refused it.");
        return;
      }
      reportSave(result.state, KIND_LABEL[kind]);
      navigate(id ? "/history" : "/");
    } catch (err) {
      setMessage(String((err as Error).message ?? err));
    } finally {
      setBusy(false);
    }
  };

  const title = `${id ? "Edit" : "Log"} ${KIND_LABEL[kind].toLowerCase()}`;
  return (
    <main id="main">
      <h1>{title}</h1>
      <form onSubmit={submit} noValidate>
        {message && <div class="form-error" role="alert">{message}</div>}
        <KindFields kind={kind} form={form} set={set} setForm={setForm} errors={errors} zone={me?.time_zone} editing={Boolean(id)} />
        <TextArea name="notes" label="Notes (optional)" value={form.notes} onInput={set("notes")} errors={errors} />
        <div class="actions">
          <button class="primary" disabled={busy}>{id ? "Save changes" : "Save"}</button>
          <a class="button" href={id ? "/history" : "/"}>Cancel</a>
        </div>
      </form>
    </main>
  );
}

interface KindFieldsProps {
  kind: Kind;
  form: Payload;
  set: (k: string) => (v: unknown) => void;
  setForm: (f: Payload) => void;
  errors: FieldErrors;
  zone?: string;
  editing: boolean;
}

function KindFields({ kind, form, set, setForm, errors, editing }: KindFieldsProps) {
  switch (kind) {
    case "episode":
      return (
        <>
          <Input name="occurred_at" label="When" type="datetime-local" value={form.occurred_at} onInput={set("occurred_at")} errors={errors} />
          <Chips name="muscle_group" label="Muscle" value={form.muscle_group} options={MUSCLES} onChange={set("muscle_group")} errors={errors} />
          <Chips name="side" label="Side" value={form.side} options={SIDES} onChange={set("side")} errors={errors} />
          <Chips name="severity" label="Severity (0 none, 10 worst)" value={String(form.severity)} options={SEVERITIES} onChange={set("severity")} errors={errors} compact />
          <Input name="duration_seconds" label="How long (minutes)" type="number" inputMode="decimal" min={0} step="any" value={form.duration_minutes} onInput={set("duration_minutes")} errors={errors} />
          <Check name="during_sleep" label="It happened during sleep" checked={form.during_sleep} onChange={set("during_sleep")} />
          <Check name="woke_patient" label="It woke me up" checked={form.woke_patient} onChange={set("woke_patient")} />
          <Select name="trigger" label="Likely trigger" value={form.trigger} options={TRIGGERS} onChange={set("trigger")} errors={errors} />
        </>
      );
    case "checkin":
      return (
        <>
          <Input name="local_date" label="Day" type="date" value={form.local_date} onInput={set("local_date")} errors={errors} />
          <Check name="no_cramps" label="No cramps this day" checked={form.no_cramps} onChange={set("no_cramps")} />
          {(["weakness", "fatigue", "bone_pain", "twitching"] as const).map((k) => (
            <Input
              name={k}
              label={`${label(k)} (0-10)`}
              hint={k === "weakness" ? "Trouble climbing stairs or rising from a chair." : undefined}
              type="number"
              inputMode="numeric"
              min={0}
              max={10}
              value={form[k]}
              onInput={set(k)}
              errors={errors}
            />
          ))}
        </>
      );
    case "sun":
      return (
        <>
          <Input name="started_at" label="Started" type="datetime-local" value={form.started_at} onInput={set("started_at")} errors={errors} />
          <Input name="minutes" label="Minutes outdoors in daylight" type="number" inputMode="numeric" min={0} max={1440} value={form.minutes} onInput={set("minutes")} errors={errors} />
          <fieldset class="checks">
            <legend>Skin exposed</legend>
            {SKIN.map((s) => (
              <Check
                name={`skin_${s}`}
                label={label(s)}
                checked={(form.skin_exposed ?? []).includes(s)}
                onChange={(on) => setForm({ ...form, skin_exposed: on ? [...(form.skin_exposed ?? []), s] : form.skin_exposed.filter((x: string) => x !== s) })}
              />
            ))}
            {errors.skin_exposed && <p class="error">{errors.skin_exposed.join(" ")}</p>}
          </fieldset>
          <Check name="sunscreen" label="Sunscreen on" checked={form.sunscreen} onChange={set("sunscreen")} />
          <Input name="uv_index" label="UV index (optional)" type="number" inputMode="decimal" min={0} max={20} step="0.1" value={form.uv_index} onInput={set("uv_index")} errors={errors} />
        </>
      );
    case "dose":
      return <DoseFields form={form} set={set} setForm={setForm} errors={errors} editing={editing} />;
    case "regimen":
      return <RegimenFields form={form} set={set} setForm={setForm} errors={errors} />;
    case "lab":
      return (
        <>
          <Select name="analyte" label="Test" value={form.analyte} options={ANALYTES} onChange={(v) => setForm({ ...form, analyte: v, unit: LAB_UNITS[v][0] })} errors={errors} />
          <Input name="value" label="Value" type="number" inputMode="decimal" min={0} step="any" value={form.value} onInput={set("value")} errors={errors} />
          <Select name="unit" label="Unit" value={form.unit} options={LAB_UNITS[form.analyte] ?? []} onChange={set("unit")} errors={errors} />
          <Input name="collected_on" label="Blood taken on" type="date" value={form.collected_on} onInput={set("collected_on")} errors={errors} />
        </>
      );
  }
}

function AmountFields({ form, set, setForm, errors }: Omit<KindFieldsProps, "kind" | "editing">) {
  return (
    <>
      <Select name="supplement" label="Supplement" value={form.supplement} options={SUPPLEMENTS} onChange={(v) => setForm({ ...form, supplement: v, unit: DOSE_UNITS[v][0] })} errors={errors} />
      <Input name="amount" label="Amount" type="number" inputMode="decimal" min={0} step="any" value={form.amount} onInput={set("amount")} errors={errors} hint={form.supplement.startsWith("vitamin_d") ? "1 µg = 40 IU." : undefined} />
      <Select name="unit" label="Unit" value={form.unit} options={(DOSE_UNITS[form.supplement] ?? []).map((u) => [u, unitLabel(u)] as [string, string])} onChange={set("unit")} errors={errors} />
    </>
  );
}

/** The active regimens, for pre-filling a dose. */
export async function activeRegimens(zone?: string): Promise<Entry[]> {
  const today = todayIn(zone);
  const all = await listAll("regimen");
  return all.filter((r) => String(r.start_date) <= today && (!r.end_date || String(r.end_date) >= today));
}

function DoseFields({ form, set, setForm, errors, editing }: Omit<KindFieldsProps, "kind">) {
  const [regimens, setRegimens] = useState<Entry[]>([]);
  useEffect(() => {
    activeRegimens(getState().me?.time_zone)
      .then((list) => {
        setRegimens(list);
        // The regimen's dose pre-filled: vitamin D first.
        const first = list.find((r) => String(r.supplement).startsWith("vitamin_d")) ?? list[0];
        if (first && !editing && !form.amount) setForm({ ...form, ...regimenDose(first) });
      })
      .catch(() => setRegimens([]));
  }, []);
  return (
    <>
      <Input name="taken_at" label="Taken" type="datetime-local" value={form.taken_at} onInput={set("taken_at")} errors={errors} />
      {regimens.length > 0 && (
        <Select
          name="regimen_id"
          label="For regimen"
          value={form.regimen_id}
          options={[["", "None (extra dose)"], ...regimens.map((r) => [r.id, `${label(r.supplement)} ${Number(r.amount)} ${unitLabel(String(r.unit))} ${r.frequency}`] as [string, string])]}
          onChange={(v) => {
            const r = regimens.find((x) => x.id === v);
            setForm(r ? { ...form, ...regimenDose(r) } : { ...form, regimen_id: "" });
          }}
          errors={errors}
        />
      )}
      <AmountFields form={form} set={set} setForm={setForm} errors={errors} />
    </>
  );
}

const regimenDose = (r: Entry) => ({ regimen_id: r.id, supplement: r.supplement, amount: String(Number(r.amount)), unit: r.unit });

function RegimenFields({ form, set, setForm, errors }: Omit<KindFieldsProps, "kind" | "editing">) {
  const [templates, setTemplates] = useState<RegimenTemplate[]>([]);
  useEffect(() => {
    regimenTemplates().then(setTemplates).catch(() => setTemplates([]));
  }, []);
  const apply = (key: string) => {
    const t = templates.find((x) => x.key === key);
    if (!t) return;
    const weekday = String(new Date(`${form.start_date}T12:00:00`).getDay() || 7);
    setForm({
      ...form,
      supplement: t.supplement,
      amount: String(t.amount),
      unit: t.unit,
      frequency: t.frequency,
      weekdays: t.frequency === "weekly" ? [weekday] : [],
      phase: t.phase,
      end_date: t.duration_weeks ? addDays(form.start_date, t.duration_weeks * 7 - 1) : "",
    });
  };
  const options = useMemo(() => [["", "Choose a protocol…"] as [string, string], ...templates.map((t) => [t.key, t.name] as [string, string])], [templates]);
  return (
    <>
      {templates.length > 0 && <Select name="template" label="Start from a protocol" value="" options={options} onChange={apply} hint="Fills the fields below; you can still change them." />}
      <AmountFields form={form} set={set} setForm={setForm} errors={errors} />
      <Chips name="frequency" label="How often" value={form.frequency} options={[["daily", "Daily"], ["weekly", "Weekly"], ["weekdays", "Chosen days"]]} onChange={(v) => setForm({ ...form, frequency: v, weekdays: v === "daily" ? [] : form.weekdays })} errors={errors} />
      {form.frequency !== "daily" && (
        <fieldset class="checks inline">
          <legend>On</legend>
          {WEEKDAYS.map(([value, text]) => (
            <Check
              name={`weekday_${value}`}
              label={text}
              checked={(form.weekdays ?? []).includes(value)}
              onChange={(on) => setForm({ ...form, weekdays: on ? (form.frequency === "weekly" ? [value] : [...form.weekdays, value]) : form.weekdays.filter((x: string) => x !== value) })}
            />
          ))}
          {errors.weekdays && <p class="error">{errors.weekdays.join(" ")}</p>}
        </fieldset>
      )}
      <Input name="start_date" label="Start date" type="date" value={form.start_date} onInput={set("start_date")} errors={errors} />
      <Input name="end_date" label="End date (optional)" type="date" value={form.end_date} onInput={set("end_date")} errors={errors} />
      <Chips name="phase" label="Phase" value={form.phase} options={[["loading", "Loading"], ["maintenance", "Maintenance"]]} onChange={set("phase")} errors={errors} />
    </>
  );
}
