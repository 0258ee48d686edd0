// The outbox on a fake IndexedDB, with fetch answering as the API does.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "./db";
import { allItems, discard, enqueue, flush, getItem, overwrite, setOwner } from "./outbox";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

let requests: { method: string; url: string; body: any }[] = [];

function answer(...responses: (Response | Error)[]) {
  requests = [];
  const queue = [...responses];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      requests.push({ method: String(init.method), url, body: init.body ? JSON.parse(String(init.body)) : undefined });
      const next = queue.shift();
      if (!next) throw new Error(`unexpected request ${init.method} ${url}`);
      if (next instanceof Error) throw next;
      return next;
    }),
  );
}

beforeEach(async () => {
  // Items queue in order of Date.now(): one tick apart, so the order is the test's.
  let clock = 1_000;
  vi.spyOn(Date, "now").mockImplementation(() => clock++);
  const database = await db();
  await database.clear("outbox");
  await database.clear("meta");
  await setOwner("patient-1");
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const episode = { occurred_at: "2026-03-01T13:30:00.000Z", muscle_group: "calf", side: "left", severity: 6 };

describe("enqueue", () => {
  it("queues a create under a fresh UUID for the logged-in patient", async () => {
    const item = await enqueue("episode", episode);
    expect(item.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await getItem(item.id)).toMatchObject({ owner: "patient-1", kind: "episode", op: "create", status: "pending", attempts: 0, payload: episode });
  });

  it("refuses without a logged-in patient", async () => {
    await setOwner(null);
    await expect(enqueue("episode", episode)).rejects.toThrow("Log in to keep entries on this phone.");
  });

  it("turns an edit of an unsent create into the create, keeping when it was logged", async () => {
    const first = await enqueue("episode", episode);
    const edited = await enqueue("episode", { ...episode, severity: 8 }, { id: first.id, op: "put" });
    expect(edited).toMatchObject({ op: "create", recorded_at: first.recorded_at, queued_at: first.queued_at, payload: { severity: 8 } });
    expect(await allItems()).toHaveLength(1);
  });

  it("forgets an unsent create that is deleted", async () => {
    const first = await enqueue("episode", episode);
    await enqueue("episode", {}, { id: first.id, op: "delete" });
    expect(await getItem(first.id)).toBeUndefined();
  });

  it("shows each person only their own entries", async () => {
    await enqueue("episode", episode);
    await setOwner("patient-2");
    expect(await allItems()).toEqual([]);
    await enqueue("checkin", { local_date: "2026-03-01", no_cramps: true });
    expect((await allItems()).map((i) => i.kind)).toEqual(["checkin"]);
  });
});

describe("flush", () => {
  it("sends creates in one sync batch; created ones leave, refused ones stay with the reason", async () => {
    const ok = await enqueue("episode", episode);
    const bad = await enqueue("episode", { ...episode, severity: 11 });
    answer(
      json(200, {
        results: [
          { index: 0, kind: "episode", id: ok.id, status: "created", code: null, errors: {}, entry: { id: ok.id }, warnings: [] },
          { index: 1, kind: "episode", id: bad.id, status: "invalid", code: "invalid", errors: { severity: ["Ensure this value is less than or equal to 10."] }, entry: null, warnings: [] },
        ],
        summary: { created: 1, invalid: 1 },
      }),
    );
    expect(await flush()).toBe("done");
    expect(requests).toEqual([
      {
        method: "POST",
        url: "/api/v1/diary/sync",
        body: {
          items: [
            { kind: "episode", id: ok.id, recorded_at: ok.recorded_at, payload: episode },
            { kind: "episode", id: bad.id, recorded_at: bad.recorded_at, payload: { ...episode, severity: 11 } },
          ],
        },
      },
    ]);
    expect(await getItem(ok.id)).toBeUndefined();
    expect(await getItem(bad.id)).toMatchObject({
      status: "invalid",
      code: "invalid",
      message: "severity: Ensure this value is less than or equal to 10.",
      errors: { severity: ["Ensure this value is less than or equal to 10."] },
      attempts: 1,
    });
  });

  it("keeps everything pending without a connection", async () => {
    const item = await enqueue("episode", episode);
    answer(new TypeError("Failed to fetch"));
    expect(await flush()).toBe("offline");
    expect(await getItem(item.id)).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("answers auth when the session is gone, keeping the item", async () => {
    const item = await enqueue("episode", episode);
    answer(json(403, { error: { status: 403, code: "not_authenticated", message: "Log in.", fields: {} } }));
    expect(await flush()).toBe("auth");
    expect(await getItem(item.id)).toMatchObject({ status: "pending" });
  });

  it("sends edits and deletes of stored rows one by one", async () => {
    const put = await enqueue("lab", { analyte: "vitamin_d_25oh", value: "31", unit: "ng/mL", collected_on: "2026-02-20" }, { id: "3c0d7e4e-0000-4000-8000-000000000001", op: "put" });
    const gone = await enqueue("sun", {}, { id: "3c0d7e4e-0000-4000-8000-000000000002", op: "delete" });
    answer(json(200, { id: put.id }), json(404, { error: { status: 404, code: "not_found", message: "Not found.", fields: {} } }));
    expect(await flush()).toBe("done");
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "PUT /api/v1/diary/labs/3c0d7e4e-0000-4000-8000-000000000001",
      "DELETE /api/v1/diary/sun/3c0d7e4e-0000-4000-8000-000000000002",
    ]);
    expect(await allItems()).toEqual([]);
    expect(gone.op).toBe("delete");
  });

  it("keeps a conflicting edit with the server's row; overwrite queues it again as a put", async () => {
    const item = await enqueue("episode", { ...episode, severity: 3 }, { id: "3c0d7e4e-0000-4000-8000-000000000003", op: "patch" });
    const current = { id: item.id, severity: 5 };
    answer(json(409, { error: { status: 409, code: "conflict", message: "It changed on the server.", fields: {}, current } }));
    await flush();
    expect(await getItem(item.id)).toMatchObject({ status: "conflict", code: "conflict", server: current, message: "It changed on the server." });

    await overwrite(item.id);
    expect(await getItem(item.id)).toMatchObject({ status: "pending", op: "put", code: null, errors: {} });
    await discard(item.id);
    expect(await getItem(item.id)).toBeUndefined();
  });
});
