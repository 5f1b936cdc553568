import { describe, expect, it } from "vitest";
import {
  type Annotation,
  AnnotationSchema,
  applicableAnnotations,
} from "../../../src/core/triage/annotations.js";

const base = {
  repo: "acme/shop",
  note: "Black Friday",
  author: "@ana",
  createdAt: "2026-11-01T00:00:00Z",
  kind: "event",
} as const;
const annotations: Annotation[] = [
  { ...base, id: "a1", dataset: "fct_revenue", from: "2026-11-27T00:00:00Z", to: "2026-11-30T23:59:59Z" },
  { ...base, id: "a2", dataset: "marts.*", kind: "policy", from: "2026-11-15T00:00:00Z" },
  { ...base, id: "a3", dataset: "*", kind: "maintenance", to: "2026-11-02T00:00:00Z" },
];

describe("applicableAnnotations", () => {
  it.each([
    ["fct_revenue", "2026-11-28T12:00:00Z", ["a1"]],
    ["fct_revenue", "2026-11-30T23:59:59Z", ["a1"]],
    ["fct_revenue", "2026-12-01T00:00:00Z", []],
    ["marts.orders", "2030-01-01T00:00:00Z", ["a2"]],
    ["marts.orders", "2026-11-14T23:59:59Z", []],
    ["stg_payments", "2026-10-01T00:00:00Z", ["a3"]],
    ["MARTS.ORDERS", "2026-11-20T00:00:00Z", ["a2"]],
  ])("for %s at %s applies %j", (table, at, ids) => {
    expect(applicableAnnotations(annotations, table, at).map((a) => a.id)).toEqual(ids);
  });
});

describe("AnnotationSchema", () => {
  it("accepts an open-ended window", () => {
    expect(AnnotationSchema.safeParse({ ...base, id: "x", dataset: "*" }).success).toBe(true);
  });

  it("refuses a window that ends before it starts", () => {
    const result = AnnotationSchema.safeParse({
      ...base,
      id: "x",
      dataset: "*",
      from: "2026-12-01T00:00:00Z",
      to: "2026-11-01T00:00:00Z",
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["to"]);
  });

  it("refuses an unknown kind", () => {
    expect(AnnotationSchema.safeParse({ ...base, id: "x", dataset: "*", kind: "vibes" }).success).toBe(false);
  });
});
