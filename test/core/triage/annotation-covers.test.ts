import { describe, expect, it } from "vitest";
import { annotationConcerns } from "../../../src/core/triage/annotation-covers.js";

describe("annotationConcerns", () => {
  it.each<[string, { dataset: string; to?: string }, { tableId?: string; openedAt: string | null }, boolean]>(
    [
      ["the same table", { dataset: "orders" }, { tableId: "orders", openedAt: null }, true],
      [
        "a glob over the table, any case",
        { dataset: "Marts.*" },
        { tableId: "marts.fct_orders", openedAt: null },
        true,
      ],
      ["another table", { dataset: "orders" }, { tableId: "customers", openedAt: null }, false],
      ["an unmatched finding (no table)", { dataset: "*" }, { openedAt: null }, false],
      [
        "a window that ended before the finding opened",
        { dataset: "orders", to: "2026-11-01T00:00:00Z" },
        { tableId: "orders", openedAt: "2026-11-02T00:00:00Z" },
        false,
      ],
      [
        "a window still open when the finding opened",
        { dataset: "orders", to: "2026-11-03T00:00:00Z" },
        { tableId: "orders", openedAt: "2026-11-02T00:00:00Z" },
        true,
      ],
    ],
  )("%s → %s", (_name, annotation, finding, expected) => {
    expect(annotationConcerns(annotation, finding)).toBe(expected);
  });
});
