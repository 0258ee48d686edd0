// Reminders and web push (issue 5). Built against the issue text while the API lands:
// every path and field name the screens and the service worker depend on is here, so a
// late change in the API is an edit to this file only.
import { type Page, del, get, patch, post } from "./http";

export const REMINDERS = "/api/v1/reminders/";
export const PUSH_SUBSCRIPTIONS = "/api/v1/push/subscriptions/";
export const VAPID_KEY = "/api/v1/push/vapid-public-key";

export type Channel = "push" | "email" | "both";

export interface Reminder {
  id: string | number;
  regimen_id?: string | null;
  label?: string;
  local_time: string; // "08:00" in the patient's zone
  weekdays: number[]; // ISO 1..7; empty = every day
  channel: Channel;
  quiet_start?: string | null;
  quiet_end?: string | null;
  enabled: boolean;
  next_fire_at?: string | null;
  [field: string]: unknown;
}

function results<T>(data: Page<T> | T[]): T[] {
  return Array.isArray(data) ? data : (data?.results ?? []);
}

export const listReminders = async () => results(await get<Page<Reminder> | Reminder[]>(REMINDERS));
export const createReminder = (data: Partial<Reminder>) => post<Reminder>(REMINDERS, data);
export const updateReminder = (id: Reminder["id"], data: Partial<Reminder>) =>
  patch<Reminder>(`${REMINDERS}${id}/`, data);
export const deleteReminder = (id: Reminder["id"]) => del<void>(`${REMINDERS}${id}/`);

export async function vapidPublicKey(): Promise<string> {
  const data = await get<any>(VAPID_KEY);
  return typeof data === "string" ? data : (data.public_key ?? data.key ?? data.vapid_public_key);
}

/** The browser's PushSubscription as the server stores it: endpoint and keys. */
export function subscriptionBody(subscription: PushSubscription): Record<string, unknown> {
  const json = subscription.toJSON();
  return {
    endpoint: json.endpoint,
    keys: { p256dh: json.keys?.p256dh, auth: json.keys?.auth },
    expiration_time: json.expirationTime ?? null,
    user_agent: typeof navigator !== "undefined" ? navigator.userAgent.slice(0, 200) : "",
  };
}

export const saveSubscription = (subscription: PushSubscription) =>
  post<unknown>(PUSH_SUBSCRIPTIONS, subscriptionBody(subscription));

export async function removeSubscription(endpoint: string): Promise<void> {
  const list = results(await get<Page<any> | any[]>(PUSH_SUBSCRIPTIONS));
  for (const s of list) if (s.endpoint === endpoint) await del(`${PUSH_SUBSCRIPTIONS}${s.id}/`);
}

export function urlBase64ToUint8Array(base64: string): Uint8Array<ArrayBuffer> {
  const padded = (base64 + "=".repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** What a push message carries (issue 5: the dose, and "Taken" / "Snooze 30 min" actions). */
export interface PushPayload {
  title: string;
  body: string;
  tag: string;
  deliveryId: string | null;
  url: string;
  actions: { action: string; title: string }[];
  takenUrl: string | null;
  snoozeUrl: string | null;
}

export function parsePush(data: any): PushPayload {
  const d = data ?? {};
  const deliveryId = d.delivery_id ?? d.delivery?.id ?? null;
  const id = deliveryId === null ? null : String(deliveryId);
  // The server sends signed action URLs: [{action: "taken", title, method: "POST", url}].
  const actions: any[] = Array.isArray(d.actions) ? d.actions : [];
  const urlOf = (name: string) => actions.find((a) => a.action === name)?.url ?? null;
  return {
    title: d.title ?? "Supplement reminder",
    body: d.body ?? "Time for your dose.",
    tag: d.tag ?? (id ? `delivery-${id}` : "reminder"),
    deliveryId: id,
    url: d.open_url ?? d.url ?? "/",
    actions: actions.map((a) => ({ action: String(a.action), title: String(a.title ?? a.action) })),
    takenUrl: urlOf("taken"),
    snoozeUrl: urlOf("snooze"),
  };
}

export interface RegimenAdherence {
  regimen_id: string;
  supplement: string;
  amount: string;
  unit: string;
  frequency: string;
  start_date: string;
  end_date: string | null;
  scheduled: number;
  taken: number;
  rate: number | null; // 0..1
}

/** Doses scheduled against doses taken per regimen (12 weeks back by default). */
export async function adherence(patientId?: string): Promise<RegimenAdherence[]> {
  const url = patientId ? `/api/v1/clinician/patients/${patientId}/adherence` : "/api/v1/adherence";
  const data = await get<any>(url);
  return data?.regimens ?? [];
}

/** A linked patient's reminder schedules, read only (GET clinician/patients/<id>/reminders). */
export async function listPatientReminders(patientId: string): Promise<Reminder[]> {
  const out: Reminder[] = [];
  let url: string | null = `/api/v1/clinician/patients/${patientId}/reminders?page_size=100`;
  while (url) {
    const page: Page<Reminder> = await get<Page<Reminder>>(url);
    out.push(...results(page));
    url = page.next;
  }
  return out;
}
