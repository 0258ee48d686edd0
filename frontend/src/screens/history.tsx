// History: stored rows of every kind merged with this phone's outbox, newest first.
// Pending items say so; refused ones show the server's reason and can be fixed or dropped.
import { useEffect, useState } from "preact/hooks";
import { type Entry, KIND_LABEL, type Kind, PLURAL, describe, listAll, whenOf } from "../api/diary";
import { ApiError } from "../api/http";
import { onSynced, save, sendNow } from "../offline/client";
import type { OutboxItem } from "../offline/db";
import { discard, overwrite } from "../offline/outbox";
import { toast, useStore } from "../store";
import { addDays, formatDay, formatTime, todayIn } from "../ui/time";

const KINDS = Object.keys(PLURAL) as Kind[];

interface Row {
  kind: Kind;
  id: string;
  when: string;
  day: string;
  data: Record<string, any>;
  item?: OutboxItem; // queued on this phone
}

export function History() {
  const { me, outbox } = useStore();
  const [days, setDays] = useState(30);
  const [filter, setFilter] = useState<Kind | "all">("all");
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => onSynced(() => setTick((t) => t + 1)), []);
  useEffect(() => {
    const to = todayIn(me?.time_zone);
    const from = addDays(to, -days);
    Promise.all(KINDS.map((k) => listAll(k, { from, to: addDays(to, 1) }).then((list) => list.map((e) => toRow(k, e)))))
      .then((lists) => {
        setRows(lists.flat());
        setError(null);
      })
      .catch((e) => {
        setError(e);
        setRows((r) => r ?? []);
      });
  }, [days, tick, me?.id]);

  const queued = new Map(outbox.map((i) => [i.id, i]));
  const merged: Row[] = [];
  const seen = new Set<string>();
  for (const r of rows ?? []) {
    const item = queued.get(r.id);
    merged.push(item ? { ...r, item } : r);
    seen.add(r.id);
  }
  for (const item of outbox) {
    if (seen.has(item.id) || item.op !== "create") continue;
    const when = whenOf(item.kind, item.payload);
    merged.push({ kind: item.kind, id: item.id, when, day: dayOf(item.kind, item.payload, when), data: item.payload, item });
  }
  const shown = merged.filter((r) => filter === "all" || r.kind === filter).sort((a, b) => (a.when < b.when ? 1 : -1));
  const groups = new Map<string, Row[]>();
  for (const r of shown) groups.set(r.day, [...(groups.get(r.day) ?? []), r]);

  return (
    <main id="main">
      <h1>History</h1>
      <div class="toolbar">
        <label for="history-filter">Show</label>
        <select id="history-filter" value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value as Kind | "all")}>
          <option value="all">Everything</option>
          {KINDS.map((k) => (
            <option value={k}>{KIND_LABEL[k]}</option>
          ))}
        </select>
      </div>
      {error instanceof ApiError && error.offline && <p class="notice">Offline: showing what this phone has.</p>}
      {error && !(error instanceof ApiError && error.offline) && <p class="form-error" role="alert">{(error as Error).message}</p>}
      {rows === null && <p aria-busy="true">Loading…</p>}
      {rows !== null && shown.length === 0 && <p class="muted">Nothing logged in the last {days} days.</p>}
      {[...groups.entries()].map(([day, list]) => (
        <section class="day" aria-label={formatDay(day)}>
          <h2>{formatDay(day)}</h2>
          <ul class="entries">
            {list.map((r) => (
              <HistoryRow row={r} />
            ))}
          </ul>
        </section>
      ))}
      <button class="secondary wide" onClick={() => setDays(days + 30)}>
        Show older
      </button>
    </main>
  );
}

function toRow(kind: Kind, e: Entry): Row {
  const when = whenOf(kind, e);
  return { kind, id: e.id, when, day: String(e.local_date ?? when.slice(0, 10)), data: e };
}

function dayOf(kind: Kind, payload: Record<string, any>, when: string): string {
  if (kind === "checkin") return payload.local_date;
  if (kind === "regimen") return payload.start_date;
  if (kind === "lab") return payload.collected_on;
  const d = new Date(when);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function HistoryRow({ row }: { row: Row }) {
  const { kind, id, item } = row;
  const data = item && item.op !== "delete" ? { ...row.data, ...item.payload } : row.data;
  const timed = kind === "episode" || kind === "sun" || kind === "dose";
  const remove = async () => {
    if (!confirm(`Delete this ${KIND_LABEL[kind].toLowerCase()}?`)) return;
    const result = await save(kind, {}, { id, op: "delete" });
    toast(result.state === "queued" ? "It will be deleted when you are back online." : "Deleted.", result.state === "queued" ? "warn" : "ok");
  };
  return (
    <li class={`entry${item ? ` ${item.status}` : ""}`} data-kind={kind} data-id={id}>
      <div class="entry-main">
        <span class="kind">{KIND_LABEL[kind]}</span>
        {timed && <time dateTime={row.when}>{formatTime(row.when)}</time>}
        <span class="what">{describe(kind, data)}</span>
        {item?.status === "pending" && <span class="badge pending">{item.op === "delete" ? "Delete pending" : "Pending"}</span>}
        {item && item.status !== "pending" && <span class="badge invalid">{item.status === "conflict" ? "Conflict" : "Not accepted"}</span>}
      </div>
      {item && item.status !== "pending" && <Refused item={item} />}
      <div class="entry-actions">
        <a class="button small" href={`/edit/${kind}/${id}`} aria-label={`Edit ${KIND_LABEL[kind].toLowerCase()} ${describe(kind, data)}`}>Edit</a>
        <button class="small danger" onClick={remove} aria-label={`Delete ${KIND_LABEL[kind].toLowerCase()} ${describe(kind, data)}`}>Delete</button>
      </div>
    </li>
  );
}

function Refused({ item }: { item: OutboxItem }) {
  const retry = async (fn: () => Promise<void>) => {
    await fn();
    await sendNow();
  };
  return (
    <div class="refused" role="note">
      <p>{item.message}</p>
      {Object.entries(item.errors ?? {}).map(([field, messages]) => (
        <p class="error">{field === "non_field_errors" ? "" : `${field}: `}{messages.join(" ")}</p>
      ))}
      <div class="entry-actions">
        {item.status === "conflict" && item.code === "checkin_exists" && item.server?.id != null && (
          <button class="small" onClick={() => retry(() => overwrite(item.id, String(item.server!.id), "patch"))}>Merge into that day</button>
        )}
        {item.status === "conflict" && item.code === "conflict" && (
          <button class="small" onClick={() => retry(() => overwrite(item.id))}>Replace with mine</button>
        )}
        <button class="small" onClick={() => discard(item.id)}>{item.status === "conflict" ? "Keep the saved one" : "Discard"}</button>
      </div>
    </div>
  );
}
