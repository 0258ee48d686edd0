// One form per diary kind, used to log a new row and to edit a stored or pending one.
// Every save goes through the outbox, so a form works the same online and offline.
import { type Kind } from "./entry-payloads";
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  ANALYTES,
  DOSE_UNITS,
  type Entry,
  KIND_LABEL,
  LAB_UNITS,
  MUSCLES,
  type MuscleGroup,
  type Regimen,
  type RegimenTemplate,
  SIDES,
  SKIN,
  SUPPLEMENTS,
  type Side,
  TRIGGERS,
  getEntry,
  isVitaminD,
  label,
  listAll,
  regimenTemplates,
  seenEntry,
  unitLabel,
} from "../api/diary";
import type { FieldErrors } from "../api/http";
import type { components } from "../api/schema.gen";
import { frequencyEnumValues, phaseEnumValues } from "../api/schema.gen";
import { save } from "../offline/client";
import { getItem } from "../offline/outbox";
import type { OutboxItem } from "../offline/db";
import { navigate } from "../router";
import { getState, toast, useStore } from "../store";
import { Check, Chips, FormError, Input, Select, TextArea } from "../ui/form";
import { todayIn } from "../ui/time";
import { type FormContext, type Forms, type Source, applyTemplate, emptyForm, regimenDose, toForm, toPayload, withAnalyte, withSupplement } from "./entry-payloads";

// The screen edits any kind's form through one state object; entry-payloads types each kind.
type Payload = Record<string, any>;

const SEVERITIES = Array.from({ length: 11 }, (_, i) => [String(i), String(i)] as [string, string]);
const WEEKDAYS: [string, string][] = [["1", "Mon"], ["2", "Tue"], ["3", "Wed"], ["4", "Thu"], ["5", "Fri"], ["6", "Sat"], ["7", "Sun"]];
const FREQUENCY_LABEL: Record<components["schemas"]["FrequencyEnum"], string> = { daily: "Daily", weekly: "Weekly", weekdays: "Chosen days" };
const PHASE_LABEL: Record<components["schemas"]["PhaseEnum"], string> = { loading: "Loading", maintenance: "Maintenance" };

function formContext(): FormContext {
  const me = getState().me;
  return {
    now: new Date(),
    today: todayIn(me?.time_zone),
    vitaminDUnit: me?.vitamin_d_unit ?? "ng/mL",
    last: lastChoices(),
  };
}

const defaults = <K extends Kind>(kind: K): Forms[K] => emptyForm(kind, formContext());

// --- last choices for the one-tap cramp -------------------------------------------------------
const LAST_KEY = "spasm-diary:last-cramp";
export function lastChoices(): { muscle_group: MuscleGroup; severity: string; side: Side } {
  try {
    return { muscle_group: "calf", severity: "5", side: "n/a", ...JSON.parse(localStorage.getItem(LAST_KEY) ?? "{}") };
  } catch {
    return { muscle_group: "calf", severity: "5", side: "n/a" };
  }
}
export function rememberChoices(c: { muscle_group: MuscleGroup; severity: string; side?: Side }): void {
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
        setForm(toForm(kind, item.payload as Source<Kind>, defaults(kind)));
        return;
      }
      try {
        const entry = seenEntry(kind, id) ?? (await getEntry(kind, id));
        setSource({ op: "put", entry });
        setForm(toForm(kind, entry, defaults(kind)));
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
      const payload = toPayload(kind, form as Forms[Kind]);
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
          <Select name="analyte" label="Test" value={form.analyte} options={ANALYTES} onChange={(v) => setForm(withAnalyte(form as Forms["lab"], v as Forms["lab"]["analyte"]))} errors={errors} />
          <Input name="value" label="Value" type="number" inputMode="decimal" min={0} step="any" value={form.value} onInput={set("value")} errors={errors} />
          <Select name="unit" label="Unit" value={form.unit} options={(LAB_UNITS[form.analyte as Forms["lab"]["analyte"]] ?? []).map((u) => [u, u] as [string, string])} onChange={set("unit")} errors={errors} />
          <Input name="collected_on" label="Blood taken on" type="date" value={form.collected_on} onInput={set("collected_on")} errors={errors} />
        </>
      );
  }
}

function AmountFields({ form, set, setForm, errors }: Omit<KindFieldsProps, "kind" | "editing">) {
  return (
    <>
      <Select name="supplement" label="Supplement" value={form.supplement} options={SUPPLEMENTS} onChange={(v) => setForm(withSupplement(form as Forms["dose"], v as Forms["dose"]["supplement"]))} errors={errors} />
      <Input name="amount" label="Amount" type="number" inputMode="decimal" min={0} step="any" value={form.amount} onInput={set("amount")} errors={errors} hint={isVitaminD(form.supplement) ? "1 µg = 40 IU." : undefined} />
      <Select name="unit" label="Unit" value={form.unit} options={(DOSE_UNITS[form.supplement as Forms["dose"]["supplement"]] ?? []).map((u) => [u, unitLabel(u)] as [string, string])} onChange={set("unit")} errors={errors} />
    </>
  );
}

/** The active regimens, for pre-filling a dose. */
export async function activeRegimens(zone?: string): Promise<Regimen[]> {
  const today = todayIn(zone);
  const all = await listAll("regimen");
  return all.filter((r) => String(r.start_date) <= today && (!r.end_date || String(r.end_date) >= today));
}

function DoseFields({ form, set, setForm, errors, editing }: Omit<KindFieldsProps, "kind">) {
  const [regimens, setRegimens] = useState<Regimen[]>([]);
  useEffect(() => {
    activeRegimens(getState().me?.time_zone)
      .then((list) => {
        setRegimens(list);
        // The regimen's dose pre-filled: vitamin D first.
        const first = list.find((r) => isVitaminD(r.supplement)) ?? list[0];
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

function RegimenFields({ form, set, setForm, errors }: Omit<KindFieldsProps, "kind" | "editing">) {
  const [templates, setTemplates] = useState<RegimenTemplate[]>([]);
  useEffect(() => {
    regimenTemplates().then(setTemplates).catch(() => setTemplates([]));
  }, []);
  const apply = (key: string) => {
    const t = templates.find((x) => x.key === key);
    if (t) setForm(applyTemplate(form as Forms["regimen"], t));
  };
  const options = useMemo(() => [["", "Choose a protocol…"] as [string, string], ...templates.map((t) => [t.key, t.name] as [string, string])], [templates]);
  return (
    <>
      {templates.length > 0 && <Select name="template" label="Start from a protocol" value="" options={options} onChange={apply} hint="Fills the fields below; you can still change them." />}
      <AmountFields form={form} set={set} setForm={setForm} errors={errors} />
      <Chips name="frequency" label="How often" value={form.frequency} options={frequencyEnumValues.map((f) => [f, FREQUENCY_LABEL[f]] as [string, string])} onChange={(v) => setForm({ ...form, frequency: v, weekdays: v === "daily" ? [] : form.weekdays })} errors={errors} />
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
      <Chips name="phase" label="Phase" value={form.phase} options={phaseEnumValues.map((p) => [p, PHASE_LABEL[p]] as [string, string])} onChange={set("phase")} errors={errors} />
    </>
  );
}
