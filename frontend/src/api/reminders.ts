// Reminders and web push (issue 5): every path the screens and the service worker use is
// here; the shapes are the generated API types.
import { ApiError, del, get, patch, post } from "./http";
import type { components } from "./schema.gen";

type S = components["schemas"];

export const REMINDERS = "/api/v1/reminders/";
export const PUSH_SUBSCRIPTIONS = "/api/v1/push/subscriptions/";
export const VAPID_KEY = "/api/v1/push/vapid-public-key";

export type Channel = S["ChannelEnum"];
export type Reminder = S["ReminderOutput"];

export const listReminders = async () => (await get<S["PaginatedReminderOutputList"]>(REMINDERS)).results;
export const createReminder = (data: S["ReminderInputRequest"]) => post<Reminder>(REMINDERS, data);
export const updateReminder = (id: Reminder["id"], data: S["PatchedReminderInputRequest"]) =>
  patch<Reminder>(`${REMINDERS}${id}/`, data);
export const deleteReminder = (id: Reminder["id"]) => del<void>(`${REMINDERS}${id}/`);

export async function vapidPublicKey(): Promise<string> {
  const { public_key } = await get<S["VapidPublicKeyOutput"]>(VAPID_KEY);
  if (!public_key) throw new ApiError(503, "push_unavailable", "Push reminders are not set up on this server.");
  return public_key;
}

/** The browser's PushSubscription as the server stores it: endpoint and keys. The server
 * ignores expirationTime, so it is not sent. */
export function subscriptionBody(subscription: PushSubscription): S["PushSubscriptionInputRequest"] {
  const json = subscription.toJSON();
  return {
    endpoint: json.endpoint ?? "",
    keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" },
    user_agent: typeof navigator !== "undefined" ? navigator.userAgent.slice(0, 200) : "",
  };
}

export const saveSubscription = (subscription: PushSubscription) =>
  post<S["PushSubscriptionOutput"]>(PUSH_SUBSCRIPTIONS, subscriptionBody(subscription));

export async function removeSubscription(endpoint: string): Promise<void> {
  const list = (await get<S["PaginatedPushSubscriptionOutputList"]>(PUSH_SUBSCRIPTIONS)).results;
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
  noCrampsUrl: string | null;
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
    noCrampsUrl: urlOf("no_cramps"),
  };
}

export type RegimenAdherence = S["RegimenAdherenceOutput"];

/** Doses scheduled against doses taken per regimen (12 weeks back by default). */
export async function adherence(patientId?: string): Promise<RegimenAdherence[]> {
  const url = patientId ? `/api/v1/clinician/patients/${patientId}/adherence` : "/api/v1/adherence";
  const data = await get<S["AdherenceOutput"]>(url);
  return data?.regimens ?? [];
}

/** A linked patient's reminder schedules, read only (GET clinician/patients/<id>/reminders). */
export async function listPatientReminders(patientId: string): Promise<Reminder[]> {
  const out: Reminder[] = [];
  let url: string | null = `/api/v1/clinician/patients/${patientId}/reminders?page_size=100`;
  while (url) {
    const page: S["PaginatedReminderOutputList"] = await get<S["PaginatedReminderOutputList"]>(url);
    out.push(...page.results);
    url = page.next ?? null;
  }
  return out;
}
