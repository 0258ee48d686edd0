// IndexedDB, shared by the page and the service worker: the outbox of diary writes made
// on this device (keyed by the client UUID) and a few small settings.
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { Kind } from "../api/diary";

export type OutboxOp = "create" | "put" | "patch" | "delete";
export type OutboxStatus = "pending" | "invalid" | "conflict";

export interface OutboxItem {
  id: string; // the client UUID: the row's primary key on the server too
  owner: string; // the user who logged it: only their session may send it
  kind: Kind;
  op: OutboxOp;
  target?: string; // for put/patch/delete of another row (a check-in day's existing row)
  payload: Record<string, unknown>;
  recorded_at: string;
  status: OutboxStatus;
  code?: string | null;
  message?: string;
  errors?: Record<string, string[]>;
  server?: Record<string, unknown> | null; // the stored row, on a conflict
  queued_at: number;
  attempts: number;
}

interface Schema extends DBSchema {
  outbox: { key: string; value: OutboxItem; indexes: { by_status: string } };
  meta: { key: string; value: unknown };
}

let dbPromise: Promise<IDBPDatabase<Schema>> | null = null;

export function db(): Promise<IDBPDatabase<Schema>> {
  dbPromise ??= openDB<Schema>("spasm-diary", 1, {
    upgrade(database) {
      const outbox = database.createObjectStore("outbox", { keyPath: "id" });
      outbox.createIndex("by_status", "status");
      database.createObjectStore("meta");
    },
  });
  return dbPromise;
}

export async function getMeta<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get("meta", key)) as T | undefined;
}

export async function setMeta(key: string, value: unknown): Promise<void> {
  await (await db()).put("meta", value, key);
}
