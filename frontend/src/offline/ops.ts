// The outbox's decisions, apart from IndexedDB and the network so they are tested on their
// own (ops.test.ts): how a new write combines with one still waiting, and what the server's
// answer makes of a waiting item.
import type { SyncItem, SyncResult } from "../api/diary";
import { ApiError } from "../api/http";
import type { OutboxItem, OutboxOp } from "./db";

/** The op to store when `requested` is queued for an id that may already wait with `waiting`.
 * "forget": deleting a row that never reached the server is the whole delete. */
export function mergeOp(waiting: OutboxOp | undefined, requested: OutboxOp): OutboxOp | "forget" {
  if (waiting === "create" && requested === "put") return "create"; // still unsent: editing it is a new create
  if (waiting === "create" && requested === "delete") return "forget";
  return requested;
}

export const toSyncItem = (item: OutboxItem): SyncItem => ({
  kind: item.kind,
  id: item.id,
  recorded_at: item.recorded_at,
  payload: item.payload,
});

/** The patient edited the item while its send was out: that edit goes next time. */
export const editedSince = (sent: OutboxItem, current: OutboxItem) =>
  JSON.stringify(current.payload) !== JSON.stringify(sent.payload);

/** What became of a waiting item: the server has it (it leaves the outbox), the server
 * refused it (it stays, with the reason), or it could not be sent now (it waits). */
export type Fate = { state: "sent"; warnings: string[] } | { state: "refused"; item: OutboxItem } | { state: "retry" };

/** An answer of POST diary/sync for one item. */
export function afterSync(current: OutboxItem, result: SyncResult): Fate {
  if (result.status === "created" || result.status === "unchanged") {
    return { state: "sent", warnings: (result.warnings ?? []).map((w) => String(w.message)) };
  }
  return {
    state: "refused",
    item: {
      ...current,
      status: result.status === "conflict" ? "conflict" : "invalid",
      code: result.code,
      errors: result.errors ?? {},
      message: messageFor(result.status, result.code, result.errors),
      server: result.entry,
      attempts: current.attempts + 1,
    },
  };
}

/** A failed PUT, PATCH or DELETE of a stored row. No connection, a lost session or a server
 * error is not the entry's fault: it waits and is sent again. */
export function afterSendError(item: OutboxItem, error: unknown): Fate {
  if (!(error instanceof ApiError) || error.offline || error.status === 401 || error.status === 403 || error.status >= 500) {
    return { state: "retry" };
  }
  if (item.op === "delete" && error.status === 404) return { state: "sent", warnings: [] }; // already gone: the goal is met
  const conflict = error.status === 409;
  return {
    state: "refused",
    item: {
      ...item,
      status: conflict ? "conflict" : "invalid",
      code: error.code,
      errors: error.fields,
      message: error.message,
      server: conflict ? (((error.body as any)?.error?.current as Record<string, unknown> | undefined) ?? null) : null,
      attempts: item.attempts + 1,
    },
  };
}

/** What the patient reads under a refused item. */
export function messageFor(status: string, code: string | null, errors: Record<string, string[]>): string {
  if (code === "checkin_exists") return "There is already a check-in for that day.";
  if (code === "id_taken") return "This entry's id belongs to someone else. Discard it and log it again.";
  if (status === "conflict") return "The server has a different version of this entry.";
  const first = Object.entries(errors ?? {})[0];
  return first ? `${first[0] === "non_field_errors" ? "" : `${first[0]}: `}${first[1].join(" ")}` : "The server refused it.";
}
