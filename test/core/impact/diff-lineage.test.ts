import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { diffLineage } from "../../../src/core/impact/diff-lineage.js";
import { lineageOf } from "../../../src/core/lineage/build-lineage.js";

const config = parseConfig(undefined);
const BASE_A = "select id, lower(name) as name, amount from raw.t where amount > 0";

function diffOf(baseA: string | undefined, headA: string | undefined, extra: Record<string, string> = {}) {
  const files = (a: string | undefined) => {
    const map = new Map(Object.entries(extra));
    if (a !== undefined) map.set("models/a.sql", a);
    return map;
  };
  const baseFiles = files(baseA);
  const headFiles = files(headA);
  return diffLineage({
    base: lineageOf(baseFiles, config),
    head: lineageOf(headFiles, config),
    baseFiles,
    headFiles,
  });
}

describe("diffLineage", () => {
  it.each([
    [
      "a column added",
      "select id, lower(name) as name, amount, 1 as flag from raw.t where amount > 0",
      "column_added",
      "a.flag",
      "non-breaking",
    ],
    [
      "a column removed",
      "select id, amount from raw.t where amount > 0",
      "column_removed",
      "a.name",
      "breaking",
    ],
    [
      "a column renamed",
      "select id as customer_id, lower(name) as name, amount from raw.t where amount > 0",
      "column_renamed",
      "a.id",
      "breaking",
    ],
    [
      "an expression changed",
      "select id, upper(name) as name, amount from raw.t where amount > 0",
      "expression_changed",
      "a.name",
      "non-breaking",
    ],
    [
      "a source changed",
      "select id, lower(name) as name, price as amount from raw.t where amount > 0",
      "sources_changed",
      "a.amount",
      "non-breaking",
    ],
    [
      "a transform changed",
      "select id, lower(name) as name, abs(amount) as amount from raw.t where amount > 0",
      "transform_changed",
      "a.amount",
      "non-breaking",
    ],
  ])("reports %s", (_name, head, kind, id, cls) => {
    const { changes, rowLevel } = diffOf(BASE_A, head);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind, id, class: cls, file: "models/a.sql" });
    expect(rowLevel).toEqual([]);
  });

  it.each([
    ["formatting-only", "SELECT id,\n    LOWER(name)   AS name,\n    amount\nFROM raw.t\nWHERE amount>0"],
    [
      "comment-only",
      "-- why: names are compared case-insensitively\nselect id, lower(name) as name, /* cents */ amount from raw.t where amount > 0",
    ],
  ])("reports nothing for a %s edit", (_name, head) => {
    expect(diffOf(BASE_A, head)).toEqual({ changes: [], rowLevel: [] });
  });

  it("reports a changed filter column as a row-level change", () => {
    const { changes, rowLevel } = diffOf(
      BASE_A,
      "select id, lower(name) as name, amount from raw.t where id > 0",
    );
    expect(changes).toEqual([]);
    expect(rowLevel).toHaveLength(1);
    expect(rowLevel[0]).toMatchObject({
      table: "a",
      added: ["filter raw.t.id"],
      removed: ["filter raw.t.amount"],
    });
  });

  it("reports a changed filter value (same columns) as a row-level change", () => {
    const { changes, rowLevel } = diffOf(
      BASE_A,
      "select id, lower(name) as name, amount from raw.t where amount > 10",
    );
    expect(changes).toEqual([]);
    expect(rowLevel.map((r) => r.table)).toEqual(["a"]);
    expect(rowLevel[0]?.message).toContain("outside its column expressions");
  });

  it("catches a deleted model", () => {
    const { changes } = diffOf(BASE_A, undefined, { "models/b.sql": "select 1 as x" });
    expect(changes).toEqual([expect.objectContaining({ kind: "table_removed", id: "a", class: "breaking" })]);
  });

  it("catches a renamed model as one rename, not a delete and an add", () => {
    const files = (name: string) => new Map([[`models/${name}.sql`, BASE_A]]);
    const { changes } = diffLineage({
      base: lineageOf(files("a"), config),
      head: lineageOf(files("a2"), config),
    });
    expect(changes).toEqual([
      expect.objectContaining({
        kind: "table_renamed",
        id: "a",
        before: "a",
        after: "a2",
        file: "models/a2.sql",
      }),
    ]);
  });

  it("reports a new model as added", () => {
    const base = new Map([["models/a.sql", BASE_A]]);
    const head = new Map([...base, ["models/c.sql", "select id from a"]]);
    const { changes } = diffLineage({ base: lineageOf(base, config), head: lineageOf(head, config) });
    const added = changes.filter((c) => c.kind === "table_added");
    expect(added.map((c) => c.id)).toEqual(["c"]);
  });
});
