// The outbox: every diary write goes here first, then to the server through
// POST /api/v1/diary/sync (creates, in one batch) or PUT/PATCH/DELETE (edits of stored
// rows). An item leaves the outbox only when the server has it; a refused item stays,
// with the server's reason, until the patient fixes or discards it. The page and the
// service worker (Background Sync) both flush; the client UUID makes a double send
// harmless ("unchanged"), and a Web Lock keeps them from sending at the same moment.
import { type Kind, deleteEntry, patchEntry, putEntry, sync } from "../api/diary";
import { ApiError, setCsrfSource } from "../api/http";
import { type OutboxItem, type OutboxOp, db, getMeta, setMeta } from "./db";
import { afterSendError, afterSync, editedSince, mergeOp, toSyncItem } from "./ops";

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
  const op = mergeOp(existing?.op, opts.op ?? "create");
  if (op === "forget") {
    await database.delete("outbox", id);
    changed();
    return existing!;
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
      const answer = await sync(batch.map(toSyncItem));
      const tx = database.transaction("outbox", "readwrite");
      for (const result of answer.results) {
        const item = batch[result.index];
        if (!item) continue;
        const current = await tx.store.get(item.id);
        if (!current || editedSince(item, current)) continue;
        const fate = afterSync(current, result);
        if (fate.state === "sent") {
          await tx.store.delete(item.id);
          warnings.push(...fate.warnings);
        } else if (fate.state === "refused") {
          await tx.store.put(fate.item);
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
    const fate = afterSendError(item, e);
    if (fate.state === "retry") throw e;
    if (fate.state === "sent") await database.delete("outbox", item.id);
    else await database.put("outbox", fate.item);
  }
}

// --- CSRF for the service worker --------------------------------------------------------------
export async function rememberCsrf(token: string): Promise<void> {
  if (token) await setMeta("csrf", token);
}

export function useStoredCsrf(): void {
  setCsrfSource(async () => (await getMeta<string>("csrf")) ?? "");
}
