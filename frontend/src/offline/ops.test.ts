import { describe, expect, it } from "vitest";
import type { SyncResult } from "../api/diary";
import { ApiError } from "../api/http";
import type { OutboxItem } from "./db";
import { afterSendError, afterSync, editedSince, mergeOp, messageFor, toSyncItem } from "./ops";

const item = (over: Partial<OutboxItem> = {}): OutboxItem => ({
  id: "6f1c0a52-0000-4000-8000-000000000001",
  owner: "patient-1",
  kind: "episode",
  op: "create",
  payload: { occurred_at: "2026-03-01T13:30:00.000Z", muscle_group: "calf", severity: 6 },
  recorded_at: "2026-03-01T13:31:00.000Z",
  status: "pending",
  queued_at: 1000,
  attempts: 0,
  ...over,
});

const result = (over: Partial<SyncResult>): SyncResult => ({
  index: 0,
  kind: "episode",
  id: item().id,
  status: "created",
  code: null,
  errors: {},
  entry: null,
  warnings: [],
  episode_ids: null,
  ...over,
});

describe("mergeOp", () => {
  it("keeps an unsent create a create when it is edited", () => {
    expect(mergeOp("create", "put")).toBe("create");
  });
  it("forgets an unsent create that is deleted", () => {
    expect(mergeOp("create", "delete")).toBe("forget");
  });
  it("takes the new op otherwise", () => {
    expect(mergeOp(undefined, "create")).toBe("create");
    expect(mergeOp(undefined, "delete")).toBe("delete");
    expect(mergeOp("put", "delete")).toBe("delete");
    expect(mergeOp("patch", "put")).toBe("put");
    expect(mergeOp("create", "patch")).toBe("patch");
  });
});

describe("sending", () => {
  it("sends an item as the sync endpoint takes it", () => {
    expect(toSyncItem(item())).toEqual({
      kind: "episode",
      id: "6f1c0a52-0000-4000-8000-000000000001",
      recorded_at: "2026-03-01T13:31:00.000Z",
      payload: { occurred_at: "2026-03-01T13:30:00.000Z", muscle_group: "calf", severity: 6 },
    });
  });
  it("notices an edit made while the send was out", () => {
    expect(editedSince(item(), item({ attempts: 3 }))).toBe(false);
    expect(editedSince(item(), item({ payload: { ...item().payload, severity: 7 } }))).toBe(true);
  });
});

describe("afterSync", () => {
  it("lets a created or unchanged item go, with the server's warnings", () => {
    const warnings = [{ code: "high_dose", message: "That is a high daily dose." }];
    expect(afterSync(item(), result({ status: "created", warnings }))).toEqual({ state: "sent", warnings: ["That is a high daily dose."] });
    expect(afterSync(item(), result({ status: "unchanged" }))).toEqual({ state: "sent", warnings: [] });
  });

  it("keeps an invalid item with the field errors and a message naming the field", () => {
    const fate = afterSync(item({ attempts: 1 }), result({ status: "invalid", code: "invalid", errors: { severity: ["Ensure this value is less than or equal to 10."] } }));
    expect(fate).toEqual({
      state: "refused",
      item: {
        ...item(),
        status: "invalid",
        code: "invalid",
        errors: { severity: ["Ensure this value is less than or equal to 10."] },
        message: "severity: Ensure this value is less than or equal to 10.",
        server: null,
        attempts: 2,
      },
    });
  });

  it("keeps a conflicting check-in with the stored row, for merging", () => {
    const stored = { id: "0b7e", local_date: "2026-03-01", no_cramps: false };
    const fate = afterSync(item({ kind: "checkin" }), result({ status: "conflict", code: "checkin_exists", entry: stored }));
    expect(fate.state).toBe("refused");
    if (fate.state !== "refused") return;
    expect(fate.item.status).toBe("conflict");
    expect(fate.item.code).toBe("checkin_exists");
    expect(fate.item.message).toBe("There is already a check-in for that day.");
    expect(fate.item.server).toEqual(stored);
    expect(fate.item.attempts).toBe(1);
  });
});

describe("afterSendError", () => {
  it("waits and retries when the refusal is not the entry's fault", () => {
    expect(afterSendError(item({ op: "put" }), new ApiError(0, "offline", "No connection."))).toEqual({ state: "retry" });
    expect(afterSendError(item({ op: "put" }), new ApiError(401, "http_401", "Please log in again."))).toEqual({ state: "retry" });
    expect(afterSendError(item({ op: "put" }), new ApiError(403, "csrf", "CSRF failed."))).toEqual({ state: "retry" });
    expect(afterSendError(item({ op: "put" }), new ApiError(502, "http_502", "The server answered 502."))).toEqual({ state: "retry" });
    expect(afterSendError(item({ op: "put" }), new TypeError("boom"))).toEqual({ state: "retry" });
  });

  it("counts a delete of a row that is already gone as done", () => {
    expect(afterSendError(item({ op: "delete" }), new ApiError(404, "not_found", "Not found."))).toEqual({ state: "sent", warnings: [] });
  });

  it("refuses an edit of a row that is gone", () => {
    const fate = afterSendError(item({ op: "put" }), new ApiError(404, "not_found", "Not found."));
    expect(fate.state === "refused" && fate.item.status).toBe("invalid");
  });

  it("keeps a 409 as a conflict with the server's current row", () => {
    const current = { id: "6f1c", severity: 4 };
    const error = new ApiError(409, "conflict", "The entry changed on the server.", {}, { error: { status: 409, code: "conflict", current } });
    const fate = afterSendError(item({ op: "put" }), error);
    expect(fate).toEqual({
      state: "refused",
      item: { ...item({ op: "put" }), status: "conflict", code: "conflict", errors: {}, message: "The entry changed on the server.", server: current, attempts: 1 },
    });
  });

  it("keeps a 400 as invalid with its field errors", () => {
    const error = new ApiError(400, "invalid", "Please check the form.", { value: ["A valid number is required."] });
    const fate = afterSendError(item({ kind: "lab", op: "patch" }), error);
    expect(fate.state === "refused" && fate.item).toMatchObject({ status: "invalid", code: "invalid", errors: { value: ["A valid number is required."] }, message: "Please check the form.", server: null });
  });
});

describe("messageFor", () => {
  it("says what the patient can do", () => {
    expect(messageFor("conflict", "checkin_exists", {})).toBe("There is already a check-in for that day.");
    expect(messageFor("conflict", "id_taken", {})).toBe("This entry's id belongs to someone else. Discard it and log it again.");
    expect(messageFor("conflict", "conflict", {})).toBe("The server has a different version of this entry.");
    expect(messageFor("invalid", "invalid", { non_field_errors: ["The end date is before the start."] })).toBe("The end date is before the start.");
    expect(messageFor("invalid", "invalid", { amount: ["Too large.", "Check the unit."] })).toBe("amount: Too large. Check the unit.");
    expect(messageFor("invalid", null, {})).toBe("The server refused it.");
  });
});
