// The outbox: every diary write goes here first, then to the server through
// POST /api/v1/diary/sync (creates, in one batch) or PUT/PATCH/DELETE (edits of stored
// rows). An item leaves the outbox only when the server has it; a refused item stays,
// with the server's reason, until the patient fixes or discards it. The page and the
// service worker (Background Sync) both flush; the client UUID makes a double send
// harmless ("unchanged"), and a Web Lock keeps them from sending at the same moment.
import { type Kind, type SyncItem, deleteEntry, patchEntry, putEntry, sync } from "../api/diary";
import { ApiError, setCsrfSource } from "../api/http";
import { type OutboxItem, type OutboxOp, db, getMeta, setMeta } from "./db";

export const SYNC_TAG = "diary-sync";
const CHANNEL = "outbox";
const BATCH = 500;

export type FlushOutcome = "done" | "offline" | "auth" | "busy";

function announce(detail: Record<string, unknown> = {}): void {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ type: "changed", ...detail });
    channel.close();
  } catch {
    /* no BroadcastChannel: the page refreshes on its own actions anyway */
  }
}

export function onOutboxChange(listener: (detail: any) => void): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event) => listener(event.data);
  // Same-context changes do not reach our own channel object: listen to a DOM event too.
  const local = (event: Event) => listener((event as CustomEvent).detail);
  self.addEventListener("outbox-changed", local);
  return () => {
    channel.close();
    self.removeEventListener("outbox-changed", local);
  };
}

function changed(detail: Record<string, unknown> = {}): void {
  announce(detail);
  self.dispatchEvent(new CustomEvent("outbox-changed", { detail: { type: "changed", ...detail } }));
}

// A shared phone: entries wait for the person who made them, never go out under someone
// else's session. The page records who is logged in; the service worker reads it.
export async function setOwner(userId: string | null): Promise<void> {
  await setMeta("owner", userId);
}

async function owner(): Promise<string | null> {
  return (await getMeta<string | null>("owner")) ?? null;
}

export async function allItems(): Promise<OutboxItem[]> {
  const me = await owner();
  const items = (await (await db()).getAll("outbox")).filter((item) => item.owner === me);
  return items.sort((a, b) => a.queued_at - b.queued_at);
}

export async function getItem(id: string): Promise<OutboxItem | undefined> {
  return (await db()).get("outbox", id);
}

/** Queue a write. A new row: op "create" under a fresh client UUID. */
export async function enqueue(
  kind: Kind,
  payload: Record<string, unknown>,
  opts: { id?: string; op?: OutboxOp; target?: string } = {},
): Promise<OutboxItem> {
  const database = await db();
  const me = await owner();
  if (!me) throw new Error("Log in to keep entries on this phone.");
  const id = opts.id ?? crypto.randomUUID();
  const existing = await database.get("outbox", id);
  let op: OutboxOp = opts.op ?? "create";
  if (existing?.op === "create" && op === "put") op = "create"; // still unsent: editing it is a new create
  if (existing?.op === "create" && op === "delete") {
    // Never reached the server: forgetting it is the whole delete.
    await database.delete("outbox", id);
    changed();
    return existing;
  }
  const item: OutboxItem = {
    id,
    owner: me,
    kind,
    op,
    target: opts.target,
    payload: { ...payload },
    recorded_at: existing?.recorded_at ?? new Date().toISOString(),
    status: "pending",
    queued_at: existing?.queued_at ?? Date.now(),
    attempts: 0,
  };
  await database.put("outbox", item);
  changed();
  return item;
}

export async function discard(id: string): Promise<void> {
  await (await db()).delete("outbox", id);
  changed();
}

/** Resolve a conflict by replacing the stored row with ours (or by updating another row). */
export async function overwrite(id: string, target?: string, op: OutboxOp = "put"): Promise<void> {
  const database = await db();
  const item = await database.get("outbox", id);
  if (!item) return;
  await database.put("outbox", { ...item, op, target: target ?? item.target, status: "pending", code: null, errors: {} });
  changed();
}


// --- flushing -------------------------------------------------------------------------------
let flushing: Promise<FlushOutcome> | null = null;

export function flush(): Promise<FlushOutcome> {
  // One flush at a time in this context; a Web Lock for page and service worker together.
  flushing ??= withLock(flushNow).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function withLock(fn: () => Promise<FlushOutcome>): Promise<FlushOutcome> {
  const locks = (navigator as any).locks;
  if (!locks?.request) return fn();
  return locks.request("diary-outbox", { ifAvailable: true }, async (lock: unknown) => (lock ? fn() : "busy"));
}

async function flushNow(): Promise<FlushOutcome> {
  const database = await db();
  const me = await owner();
  const pending = (await database.getAllFromIndex("outbox", "by_status", "pending"))
    .filter((item) => item.owner === me)
    .sort((a, b) => a.queued_at - b.queued_at);
  if (!me || !pending.length) return "done";
  const warnings: string[] = [];
  try {
    const creates = pending.filter((item) => item.op === "create");
    for (let start = 0; start < creates.length; start += BATCH) {
      const batch = creates.slice(start, start + BATCH);
      const items: SyncItem[] = batch.map((item) => ({
        kind: item.kind,
        id: item.id,
        recorded_at: item.recorded_at,
        payload: item.payload,
      }));
      const answer = await sync(items);
      const tx = database.transaction("outbox", "readwrite");
      for (const result of answer.results) {
        const item = batch[result.index];
        if (!item) continue;
        // The patient may have edited it while the request was out: that edit goes next time.
        const current = await tx.store.get(item.id);
        if (!current || JSON.stringify(current.payload) !== JSON.stringify(item.payload)) continue;
        if (result.status === "created" || result.status === "unchanged") {
          await tx.store.delete(item.id);
          for (const w of result.warnings ?? []) warnings.push(String(w.message));
        } else {
          await tx.store.put({
            ...current,
            status: result.status === "conflict" ? "conflict" : "invalid",
            code: result.code,
            errors: result.errors ?? {},
            message: messageFor(result.status, result.code, result.errors),
            server: result.entry,
            attempts: current.attempts + 1,
          });
        }
      }
      await tx.done;
    }
    for (const item of pending.filter((i) => i.op !== "create")) await sendOne(item);
  } catch (e) {
    changed({ warnings });
    if (e instanceof ApiError && e.offline) return "offline";
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return "auth";
    throw e;
  } finally {
    changed({ warnings });
  }
  return "done";
}

async function sendOne(item: OutboxItem): Promise<void> {
  const database = await db();
  const target = item.target ?? item.id;
  try {
    if (item.op === "put") await putEntry(item.kind, target, item.payload);
    else if (item.op === "patch") await patchEntry(item.kind, target, item.payload);
    else if (item.op === "delete") await deleteEntry(item.kind, target);
    await database.delete("outbox", item.id);
  } catch (e) {
    if (!(e instanceof ApiError) || e.offline || e.status === 401 || e.status === 403 || e.status >= 500) throw e;
    if (item.op === "delete" && e.status === 404) {
      await database.delete("outbox", item.id); // already gone: the goal is met
      return;
    }
    const conflict = e.status === 409;
    await database.put("outbox", {
      ...item,
      status: conflict ? "conflict" : "invalid",
      code: e.code,
      errors: e.fields,
      message: e.message,
      server: conflict ? ((e.body as any)?.error?.current ?? null) : null,
      attempts: item.attempts + 1,
    });
  }
}

function messageFor(status: string, code: string | null, errors: Record<string, string[]>): string {
  if (code === "checkin_exists") return "There is already a check-in for that day.";
  if (code === "id_taken") return "This entry's id belongs to someone else. Discard it and log it again.";
  if (status === "conflict") return "The server has a different version of this entry.";
  const first = Object.entries(errors ?? {})[0];
  return first ? `${first[0] === "non_field_errors" ? "" : `${first[0]}: `}${first[1].join(" ")}` : "The server refused it.";
}

// --- CSRF for the service worker --------------------------------------------------------------
export async function rememberCsrf(token: string): Promise<void> {
  if (token) await setMeta("csrf", token);
}

export function useStoredCsrf(): void {
  setCsrfSource(async () => (await getMeta<string>("csrf")) ?? "");
}
