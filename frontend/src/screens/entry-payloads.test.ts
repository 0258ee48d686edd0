// The forms' mapping, in America/New_York (vitest.config.ts): form times are the device's
// local time, payload times UTC instants.
import { describe, expect, it } from "vitest";
import type { Outputs, Regimen, RegimenTemplate } from "../api/diary";
import {
  type FormContext,
  type Forms,
  applyTemplate,
  emptyForm,
  regimenDose,
  toForm,
  toPayload,
  withAnalyte,
  withSupplement,
} from "./entry-payloads";

const context: FormContext = {
  now: new Date("2026-03-01T13:30:00Z"), // 08:30 in New York
  today: "2026-03-01",
  vitaminDUnit: "nmol/L",
  last: { muscle_group: "thigh", severity: "7", side: "left" },
};

const stored = { id: "9a3e", created_at: "2026-03-01T13:31:00Z", updated_at: "2026-03-01T13:31:00Z", recorded_at: "2026-03-01T13:31:00Z", time_zone: "America/New_York", local_date: "2026-03-01", notes: "", warnings: [] };

describe("a new form", () => {
  it("starts a cramp from now and the last muscle, side and severity", () => {
    expect(emptyForm("episode", context)).toEqual({
      occurred_at: "2026-03-01T08:30",
      muscle_group: "thigh",
      side: "left",
      severity: "7",
      duration_minutes: "",
      during_sleep: false,
      woke_patient: false,
      trigger: "unknown",
      notes: "",
    });
  });

  it("starts the other kinds on the patient's today, in their units", () => {
    expect(emptyForm("checkin", context)).toEqual({ local_date: "2026-03-01", weakness: "", fatigue: "", bone_pain: "", twitching: "", no_cramps: false, notes: "" });
    expect(emptyForm("sun", context)).toMatchObject({ started_at: "2026-03-01T08:30", minutes: "20", skin_exposed: ["face_hands"], uv_index: "" });
    expect(emptyForm("dose", context)).toMatchObject({ taken_at: "2026-03-01T08:30", supplement: "vitamin_d3", amount: "", unit: "IU", regimen_id: "" });
    expect(emptyForm("regimen", context)).toMatchObject({ supplement: "vitamin_d3", unit: "IU", frequency: "daily", weekdays: [], start_date: "2026-03-01", end_date: "", phase: "maintenance" });
    expect(emptyForm("lab", context)).toEqual({ analyte: "vitamin_d_25oh", value: "", unit: "nmol/L", collected_on: "2026-03-01", notes: "" });
  });
});

describe("toPayload", () => {
  it("sends a cramp with the local time as an instant and minutes as seconds", () => {
    const form: Forms["episode"] = { ...emptyForm("episode", context), occurred_at: "2026-07-04T23:15", duration_minutes: "1.5", during_sleep: true, notes: "woke at night" };
    expect(toPayload("episode", form)).toEqual({
      occurred_at: "2026-07-05T03:15:00.000Z", // summer time: UTC-4
      muscle_group: "thigh",
      side: "left",
      severity: 7,
      duration_seconds: 90,
      during_sleep: true,
      woke_patient: false,
      trigger: "unknown",
      notes: "woke at night",
    });
  });

  it("sends an empty box as null and zero as zero", () => {
    const payload = toPayload("checkin", { ...emptyForm("checkin", context), fatigue: "0", bone_pain: "4" });
    expect(payload).toEqual({ local_date: "2026-03-01", weakness: null, fatigue: 0, bone_pain: 4, twitching: null, no_cramps: false, notes: "" });
    expect(toPayload("episode", emptyForm("episode", context)).duration_seconds).toBeNull();
    expect(toPayload("sun", emptyForm("sun", context))).toMatchObject({ minutes: 20, uv_index: null, skin_exposed: ["face_hands"] });
    expect(toPayload("sun", { ...emptyForm("sun", context), uv_index: "6.5" }).uv_index).toBe("6.5");
  });

  it("sends amounts as the decimal text typed, with their unit, and no regimen as null", () => {
    const dose = toPayload("dose", { ...emptyForm("dose", context), amount: "1000" });
    expect(dose).toEqual({ taken_at: "2026-03-01T13:30:00.000Z", supplement: "vitamin_d3", amount: "1000", unit: "IU", regimen_id: null, notes: "" });
    const lab = toPayload("lab", { ...emptyForm("lab", context), value: "62.5" });
    expect(lab).toEqual({ analyte: "vitamin_d_25oh", value: "62.5", unit: "nmol/L", collected_on: "2026-03-01", notes: "" });
  });

  it("sends a regimen's chosen days as numbers, none when daily, and no end as null", () => {
    const weekly: Forms["regimen"] = { ...emptyForm("regimen", context), amount: "50000", frequency: "weekly", weekdays: ["3"], phase: "loading" };
    expect(toPayload("regimen", weekly)).toMatchObject({ amount: "50000", frequency: "weekly", weekdays: [3], end_date: null, phase: "loading" });
    expect(toPayload("regimen", { ...weekly, frequency: "daily" }).weekdays).toEqual([]);
    expect(toPayload("regimen", { ...weekly, end_date: "2026-04-25" }).end_date).toBe("2026-04-25");
  });
});

describe("toForm", () => {
  it("opens a stored cramp in local time, seconds as whole minutes", () => {
    const row: Outputs["episode"] = { ...stored, occurred_at: "2026-03-01T13:30:00Z", muscle_group: "calf", side: "both", severity: 4, duration_seconds: 150, during_sleep: true, woke_patient: true, trigger: "night" };
    expect(toForm("episode", row, emptyForm("episode", context))).toEqual({
      occurred_at: "2026-03-01T08:30",
      muscle_group: "calf",
      side: "both",
      severity: "4",
      duration_minutes: "3",
      during_sleep: true,
      woke_patient: true,
      trigger: "night",
      notes: "",
    });
    expect(toForm("episode", { ...row, duration_seconds: null }, emptyForm("episode", context)).duration_minutes).toBe("");
  });

  it("opens nulls as empty boxes and zero as 0", () => {
    const row: Outputs["checkin"] = { ...stored, weakness: null, fatigue: 0, bone_pain: 2, twitching: null, no_cramps: true };
    expect(toForm("checkin", row, emptyForm("checkin", context))).toEqual({ local_date: "2026-03-01", weakness: "", fatigue: "0", bone_pain: "2", twitching: "", no_cramps: true, notes: "" });
  });

  it("opens the API's decimals without trailing zeros", () => {
    const row: Outputs["dose"] = { ...stored, taken_at: "2026-03-01T13:30:00Z", supplement: "magnesium", amount: "250.000", unit: "mg", amount_normalised: 250, normalised_unit: "mg", regimen_id: null };
    expect(toForm("dose", row, emptyForm("dose", context))).toEqual({ taken_at: "2026-03-01T08:30", supplement: "magnesium", amount: "250", unit: "mg", regimen_id: "", notes: "" });
  });

  it("reopens a refused entry's empty amount or value empty, not as 0", () => {
    const dose = toPayload("dose", emptyForm("dose", context));
    expect(dose.amount).toBe("");
    expect(toForm("dose", dose, emptyForm("dose", context)).amount).toBe("");
    expect(toForm("regimen", toPayload("regimen", emptyForm("regimen", context)), emptyForm("regimen", context)).amount).toBe("");
    expect(toForm("lab", toPayload("lab", emptyForm("lab", context)), emptyForm("lab", context)).value).toBe("");
    expect(toForm("dose", { notes: "only a note" }, emptyForm("dose", context)).amount).toBe("");
  });

  it("fills what a queued partial payload lacks from the new form", () => {
    expect(toForm("checkin", { no_cramps: true }, emptyForm("checkin", context))).toEqual({ ...emptyForm("checkin", context), no_cramps: true });
  });

  it("gives back the same payload after a round trip through the form", () => {
    const payloads = {
      episode: { occurred_at: "2026-03-01T13:30:00.000Z", muscle_group: "foot", side: "right", severity: 9, duration_seconds: 120, during_sleep: false, woke_patient: true, trigger: "exercise", notes: "after a run" },
      checkin: { local_date: "2026-02-27", weakness: 3, fatigue: null, bone_pain: 0, twitching: null, no_cramps: false, notes: "" },
      sun: { started_at: "2026-03-01T17:00:00.000Z", minutes: 45, skin_exposed: ["arms", "legs"], sunscreen: true, uv_index: "4.5", notes: "" },
      dose: { taken_at: "2026-03-01T13:00:00.000Z", supplement: "vitamin_d3", amount: "2000", unit: "IU", regimen_id: "5d0a", notes: "" },
      regimen: { supplement: "vitamin_d3", amount: "50000", unit: "IU", frequency: "weekdays", weekdays: [1, 4], start_date: "2026-03-02", end_date: "2026-04-26", phase: "loading", notes: "" },
      lab: { analyte: "pth", value: "65", unit: "pg/mL", collected_on: "2026-02-20", notes: "fasting" },
    } as const;
    for (const kind of Object.keys(payloads) as (keyof typeof payloads)[]) {
      const payload = payloads[kind];
      const form = toForm(kind, payload as never, emptyForm(kind, context));
      expect(toPayload(kind, form), kind).toEqual(payload);
    }
  });
});

describe("units", () => {
  it("switches to the supplement's first unit", () => {
    const dose = { ...emptyForm("dose", context), unit: "ug" as const };
    expect(withSupplement(dose, "magnesium")).toMatchObject({ supplement: "magnesium", unit: "mg" });
    expect(withSupplement(dose, "vitamin_d2")).toMatchObject({ supplement: "vitamin_d2", unit: "IU" });
    expect(withSupplement(emptyForm("regimen", context), "potassium").unit).toBe("mg");
  });

  it("switches to the test's first unit", () => {
    expect(withAnalyte(emptyForm("lab", context), "pth")).toMatchObject({ analyte: "pth", unit: "pg/mL" });
    expect(withAnalyte(emptyForm("lab", context), "potassium").unit).toBe("mmol/L");
  });

  it("pre-fills a dose from a regimen", () => {
    const regimen = { id: "5d0a", supplement: "vitamin_d3", amount: "50000.000", unit: "IU" } as Regimen;
    expect(regimenDose(regimen)).toEqual({ regimen_id: "5d0a", supplement: "vitamin_d3", amount: "50000", unit: "IU" });
  });

  it("fills a regimen from a protocol: a weekly dose on the start's weekday, ending after its weeks", () => {
    const template: RegimenTemplate = { key: "loading_50000_weekly", name: "Loading", supplement: "vitamin_d3", amount: 50000, unit: "IU", frequency: "weekly", phase: "loading", duration_weeks: 8, note: "" };
    const form = { ...emptyForm("regimen", context), start_date: "2026-03-04" }; // a Wednesday
    expect(applyTemplate(form, template)).toMatchObject({ amount: "50000", unit: "IU", frequency: "weekly", weekdays: ["3"], phase: "loading", end_date: "2026-04-28" });
    const daily = { ...template, frequency: "daily", amount: 800, phase: "maintenance", duration_weeks: null };
    expect(applyTemplate(form, daily)).toMatchObject({ amount: "800", frequency: "daily", weekdays: [], end_date: "" });
  });
});
