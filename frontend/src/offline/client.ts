// The page's side of the outbox: keeps the store's copy fresh, flushes when it can and
// asks for Background Sync when it cannot.
import type { Inputs, Kind } from "../api/diary";
import { getState, setState, toast } from "../store";
import type { OutboxItem, OutboxOp } from "./db";
import { SYNC_TAG, allItems, enqueue, flush, getItem, onOutboxChange } from "./outbox";

type SyncedListener = () => void;
const syncedListeners = new Set<SyncedListener>();

/** Screens that show server data refetch when the outbox drains. */
export function onSynced(listener: SyncedListener): () => void {
  syncedListeners.add(listener);
  return () => void syncedListeners.delete(listener);
}

async function refresh(detail?: { warnings?: string[] }): Promise<void> {
  const before = getState().outbox.length;
  const items = await allItems();
  setState({ outbox: items });
  for (const w of detail?.warnings ?? []) toast(w, "warn");
  if (items.length < before) syncedListeners.forEach((l) => l());
}

export async function startOutbox(): Promise<void> {
  onOutboxChange((detail) => void refresh(detail));
  await refresh();
  addEventListener("online", () => {
    setState({ online: true });
    void sendNow();
  });
  addEventListener("offline", () => setState({ online: false }));
  // A network that comes back without an "online" event (a captive portal, a flaky cell).
  setInterval(() => {
    if (getState().outbox.some((i) => i.status === "pending")) void sendNow();
  }, 30_000);
  void sendNow();
}

export async function sendNow(): Promise<void> {
  if (!getState().me) return;
  let outcome = await flush().catch(() => "offline" as const);
  if (outcome === "auth") {
    // The session ended or the CSRF token changed: ask the server who we are (the login
    // screen shows if need be; the entries wait for this user) and try once more.
    const { loadSession } = await import("../session");
    await loadSession();
    if (getState().me) outcome = await flush().catch(() => "offline" as const);
  }
  if (outcome === "offline") {
    setState({ online: false });
    await askForBackgroundSync();
  } else if (outcome === "done") {
    setState({ online: true });
  }
  await refresh();
}

async function askForBackgroundSync(): Promise<void> {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    await (registration as any)?.sync?.register(SYNC_TAG);
  } catch {
    /* no Background Sync here: the "online" event and the timer above cover it */
  }
}

export type SaveResult = { state: "sent" | "queued" | "refused"; item: OutboxItem };

/** Queue a write and try to send it at once; answers what became of it. A delete's
 * payload is empty and a patch's partial. */
export async function save<K extends Kind>(
  kind: K,
  payload: Partial<Inputs[K]>,
  opts: { id?: string; op?: OutboxOp; target?: string } = {},
): Promise<SaveResult> {
  const item = await enqueue(kind, payload, opts);
  await refresh();
  await sendNow();
  const after = await getItem(item.id);
  if (!after) return { state: "sent", item };
  return { state: after.status === "pending" ? "queued" : "refused", item: after };
}
