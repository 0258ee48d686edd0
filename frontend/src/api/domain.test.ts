// domain.gen.json (from diary.units) agrees with the schema's enums, so the forms never offer
// a unit the API would refuse.
import { describe, expect, it } from "vitest";
import { ANALYTES, DOSE_UNITS, LAB_UNITS, SUPPLEMENTS, TRIGGERS, isVitaminD } from "./diary";
import { doseUnitEnumValues, labUnitEnumValues, triggerEnumValues } from "./schema.gen";

describe("the unit tables", () => {
  it("have a list of units for every supplement, each one a unit the API takes", () => {
    expect(Object.keys(DOSE_UNITS).sort()).toEqual([...SUPPLEMENTS].sort());
    for (const units of Object.values(DOSE_UNITS)) for (const unit of units) expect(doseUnitEnumValues).toContain(unit);
    expect(DOSE_UNITS.vitamin_d3).toEqual(["IU", "ug", "mg"]);
    expect(DOSE_UNITS.calcium).toEqual(["mg", "g"]);
  });

  it("have a list of units for every lab test, each one a unit the API takes", () => {
    expect(Object.keys(LAB_UNITS).sort()).toEqual([...ANALYTES].sort());
    for (const units of Object.values(LAB_UNITS)) for (const unit of units) expect(labUnitEnumValues).toContain(unit);
    expect(LAB_UNITS.vitamin_d_25oh).toEqual(["ng/mL", "nmol/L"]);
    expect(LAB_UNITS.magnesium).toEqual(["mg/dL", "mmol/L", "mEq/L"]);
  });

  it("know which supplements are vitamin D", () => {
    expect(SUPPLEMENTS.filter(isVitaminD)).toEqual(["vitamin_d3", "vitamin_d2"]);
  });
});

it("offers every trigger, the default first", () => {
  expect(TRIGGERS[0]).toBe("unknown");
  expect([...TRIGGERS].sort()).toEqual([...triggerEnumValues].sort());
});
