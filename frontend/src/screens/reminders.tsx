// Reminder settings and push opt-in (issue 5). Field names come from src/api/reminders.ts.
import { useEffect, useState } from "preact/hooks";
import { type Regimen, label, listAll, unitLabel } from "../api/diary";
import { ApiError, post } from "../api/http";
import {
  type Channel,
  type Reminder,
  createReminder,
  deleteReminder,
  listReminders,
  removeSubscription,
  saveSubscription,
  updateReminder,
  urlBase64ToUint8Array,
  vapidPublicKey,
} from "../api/reminders";
import { channelEnumValues } from "../api/schema.gen";
import { toast } from "../store";
import { Check, Chips, FormError, Input, Select, useAction, useLatest } from "../ui/form";
import { formatDateTime } from "../ui/time";

type PushState = "unsupported" | "denied" | "on" | "off" | "checking";

async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

export async function subscribePush(): Promise<PushSubscription> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new ApiError(403, "permission_denied", "Notifications are blocked for this site. Allow them in the browser's site settings.");
  const key = await vapidPublicKey();
  const registration = await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  const subscription = existing ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(key) }));
  await saveSubscription(subscription);
  return subscription;
}

function PushOptIn() {
  const [state, setState] = useState<PushState>("checking");
  useEffect(() => {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return setState("unsupported");
    if (Notification.permission === "denied") return setState("denied");
    currentSubscription().then((s) => setState(s ? "on" : "off"), () => setState("off"));
  }, []);
  const on = useAction(async () => {
    await subscribePush();
    setState("on");
    toast("Push reminders are on for this device.");
  });
  const off = useAction(async () => {
    const s = await currentSubscription();
    if (s) {
      await removeSubscription(s.endpoint).catch(() => null);
      await s.unsubscribe();
    }
    setState("off");
  });
  return (
    <section class="card" aria-labelledby="push-title">
      <h2 id="push-title">Notifications on this device</h2>
      <FormError error={on.error || off.error} />
      {state === "unsupported" && <p class="muted">This browser cannot receive push reminders. Choose email below, or install the app.</p>}
      {state === "denied" && <p class="muted">Notifications are blocked for this site. Allow them in the browser's site settings, then come back.</p>}
      {state === "on" && (
        <>
          <p data-testid="push-state">Push reminders are on. The notification has <strong>Taken</strong> and <strong>Snooze</strong> buttons.</p>
          <button class="secondary wide" onClick={() => off.run()} disabled={off.busy}>Turn off on this device</button>
        </>
      )}
      {state === "off" && (
        <button class="primary wide" onClick={() => on.run()} disabled={on.busy}>Turn on push reminders</button>
      )}
    </section>
  );
}

const CHANNEL_LABEL: Record<Channel, string> = { push: "Push", email: "Email", both: "Both" };
const WEEKDAYS: [string, string][] = [["1", "Mon"], ["2", "Tue"], ["3", "Wed"], ["4", "Thu"], ["5", "Fri"], ["6", "Sat"], ["7", "Sun"]];

function ReminderEditor({ reminder, regimens, onChange }: { reminder: Reminder; regimens: Regimen[]; onChange: () => void }) {
  const [r, setR] = useState<Reminder>(reminder);
  const save = useAction(async () => {
    await updateReminder(r.id, {
      local_time: r.local_time,
      weekdays: r.weekdays,
      channel: r.channel,
      quiet_start: r.quiet_start || null,
      quiet_end: r.quiet_end || null,
      enabled: r.enabled,
    });
    toast("Reminder saved.");
    onChange();
  });
  const remove = useAction(async () => {
    if (!confirm("Delete this reminder?")) return;
    await deleteReminder(r.id);
    onChange();
  });
  const regimen = regimens.find((x) => x.id === r.regimen_id);
  const errors = save.error instanceof ApiError ? save.error.fields : {};
  return (
    <form class="card reminder" onSubmit={(e) => (e.preventDefault(), save.run())}>
      <h3>{regimen ? `${label(regimen.supplement)} ${Number(regimen.amount)} ${unitLabel(String(regimen.unit))}` : r.label || "Supplement reminder"}</h3>
      {r.next_fire_at && <p class="muted">Next: {formatDateTime(r.next_fire_at)}</p>}
      <FormError error={save.error || remove.error} />
      <Check name="enabled" label="Reminder on" checked={r.enabled} onChange={(v) => setR({ ...r, enabled: v })} />
      <Input name="local_time" label="Time" type="time" value={String(r.local_time ?? "08:00").slice(0, 5)} onInput={(v) => setR({ ...r, local_time: v })} errors={errors} />
      <fieldset class="checks inline">
        <legend>Days (none: every day)</legend>
        {WEEKDAYS.map(([value, text]) => (
          <Check name={`day_${value}`} label={text} checked={(r.weekdays ?? []).includes(Number(value))} onChange={(on) => setR({ ...r, weekdays: on ? [...(r.weekdays ?? []), Number(value)].sort() : r.weekdays.filter((d) => d !== Number(value)) })} />
        ))}
      </fieldset>
      <Chips name="channel" label="Send by" value={r.channel} options={channelEnumValues.map((c) => [c, CHANNEL_LABEL[c]] as [string, string])} onChange={(v) => setR({ ...r, channel: v as Channel })} errors={errors} />
      <div class="two">
        <Input name="quiet_start" label="Quiet from" type="time" value={String(r.quiet_start ?? "").slice(0, 5)} onInput={(v) => setR({ ...r, quiet_start: v })} errors={errors} />
        <Input name="quiet_end" label="Quiet until" type="time" value={String(r.quiet_end ?? "").slice(0, 5)} onInput={(v) => setR({ ...r, quiet_end: v })} errors={errors} />
      </div>
      <div class="actions">
        <button class="primary" disabled={save.busy}>Save</button>
        <button type="button" class="danger" onClick={() => remove.run()} disabled={remove.busy}>Delete</button>
      </div>
    </form>
  );
}

export function Reminders({ params }: { params: URLSearchParams }) {
  const [reminders, setReminders] = useState<Reminder[] | null>(null);
  const [regimens, setRegimens] = useState<Regimen[]>([]);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [newRegimen, setNewRegimen] = useState("");
  const fetchReminders = useLatest(listReminders, setReminders);
  const load = () =>
    fetchReminders().catch((e) => {
      if (e instanceof ApiError && e.status === 404) setMissing(true);
      else setError(e);
      setReminders([]);
    });
  useEffect(() => {
    void load();
    listAll("regimen").then(setRegimens, () => null);
  }, []);
  // The notification's action could not reach the server from the service worker: retry here.
  useEffect(() => {
    const url = params.get("action_url");
    const action = params.get("action");
    if (!url || !url.startsWith("/") || (action !== "taken" && action !== "snooze")) return;
    post(url).then(
      () => toast(action === "taken" ? "Dose logged." : "Snoozed for 30 minutes."),
      // Each link works once: "used" means an earlier try (the notification's own) got through.
      (e) => (e instanceof ApiError && e.code === "link_used" ? toast("Already done.") : setError(e)),
    );
  }, []);
  const add = useAction(async () => {
    const regimen = regimens.find((r) => r.id === newRegimen);
    if (!regimen) return;
    // Time and days default to the regimen's (08:00 daily, 09:00 weekly); edit them below.
    await createReminder({ regimen_id: regimen.id, channel: "push", enabled: true });
    setNewRegimen("");
    await load();
  });
  return (
    <main id="main">
      <h1>Reminders</h1>
      <PushOptIn />
      <FormError error={error} />
      {missing && <p class="notice">Reminder schedules are not available on this server yet.</p>}
      {reminders?.map((r) => <ReminderEditor key={r.id} reminder={r} regimens={regimens} onChange={load} />)}
      {!missing && (
        <form class="card" onSubmit={(e) => (e.preventDefault(), add.run())}>
          <h2>New reminder</h2>
          <FormError error={add.error} />
          {regimens.length === 0 ? (
            <p class="muted">Add a supplement regimen first (Home → Supplement regimen).</p>
          ) : (
            <>
              <Select name="regimen" label="For regimen" value={newRegimen} options={[["", "Choose…"], ...regimens.map((r) => [r.id, `${label(r.supplement)} ${Number(r.amount)} ${unitLabel(String(r.unit))} ${r.frequency}`] as [string, string])]} onChange={setNewRegimen} />
              <button class="primary wide" disabled={add.busy || !newRegimen}>Add reminder</button>
            </>
          )}
        </form>
      )}
    </main>
  );
}
