import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { syntheticRepo } from "../../../bench/synthetic-repo.js";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import type { BackflowConfig } from "../../../src/core/config/schema.js";
import { type BuiltLineage, buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { FileAnalysisSchema } from "../../../src/core/lineage/file-analysis.js";
import type { DbtYamlRead } from "../../../src/core/sql/dbt/find-dbt-projects.js";

type Files = Map<string, string>;
type Edit = { name: string; apply: (files: Files) => void };

function readTree(root: string): Files {
  const files: Files = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(root, full).split("\\").join("/"), readFileSync(full, "utf8"));
    }
  };
  walk(root);
  return files;
}

function replaceIn(path: string, from: string, to: string): (files: Files) => void {
  return (files) => {
    const text = files.get(path);
    if (text === undefined || !text.includes(from)) throw new Error(`${path} has no "${from}"`);
    files.set(path, text.replace(from, to));
  };
}

/** Caches as they come back from the store: through JSON, not the objects the first build made. */
function throughJson(built: BuiltLineage): {
  cache: Map<string, ReturnType<typeof FileAnalysisSchema.parse>>;
  dbtCache: Map<string, DbtYamlRead>;
} {
  const cache = new Map(
    [...built.analyses].map(([k, v]) => [k, FileAnalysisSchema.parse(JSON.parse(JSON.stringify(v)))]),
  );
  const dbtCache = new Map<string, DbtYamlRead>(JSON.parse(JSON.stringify([...built.dbtReads])));
  return { cache, dbtCache };
}

// One cold build per tree, shared by the cases that edit it.
const firstBuilds = new WeakMap<Files, BuiltLineage>();

function firstBuild(files: Files, config: BackflowConfig): BuiltLineage {
  let built = firstBuilds.get(files);
  if (!built) {
    built = buildLineage(files, config);
    firstBuilds.set(files, built);
  }
  return built;
}

/** Rebuild after `edit` from the first build's caches (in memory and through JSON) vs a cold build of the edited tree. */
function expectRebuildsMatchCold(files: Files, config: BackflowConfig, edit: Edit): void {
  const before = firstBuild(files, config);
  const edited = new Map(files);
  edit.apply(edited);
  const cold = buildLineage(edited, config).graph;
  const warm = buildLineage(edited, config, { cache: before.analyses, dbtCache: before.dbtReads }).graph;
  const stored = buildLineage(edited, config, throughJson(before)).graph;
  expect(warm).toEqual(cold);
  // Key order too: the JSON the CLI prints must be byte-identical whichever way it was built.
  expect(JSON.stringify(warm)).toBe(JSON.stringify(cold));
  expect(JSON.stringify(stored)).toBe(JSON.stringify(cold));
}

const SYNTHETIC = syntheticRepo(300);
const SYNTHETIC_CONFIG = parseConfig("dialect: postgres\n");

const SYNTHETIC_EDITS: Edit[] = [
  {
    name: "a mart gains a column",
    apply: replaceIn("models/marts/mart_3.sql", "select\n", "select\n    1 as one,\n"),
  },
  {
    name: "a staging model renames a column read downstream",
    apply: replaceIn("models/staging/stg_0.sql", "customer_id,", "customer_id as cust_id,"),
  },
  {
    name: "a source gains a column (the YAML changes, the SQL does not)",
    apply: replaceIn(
      "models/staging/_sources.yml",
      "          - name: status\n",
      "          - name: status\n          - name: note\n",
    ),
  },
  { name: "the project vars change", apply: replaceIn("dbt_project.yml", "2020-01-01", "2021-06-01") },
  { name: "a model is deleted", apply: (files) => files.delete("models/intermediate/int_5.sql") },
  {
    name: "a model selecting * from another is added",
    apply: (files) => files.set("models/marts/all_of_int_1.sql", "select * from {{ ref('int_1') }}\n"),
  },
  {
    name: "a model stops parsing",
    apply: replaceIn("models/intermediate/int_2.sql", "left join b on", "left join b onn ((("),
  },
];

// Cold builds of hundreds of models take seconds on a loaded machine.
describe("incremental rebuilds give the cold build's graph", { timeout: 60_000 }, () => {
  it("rebuilds an unchanged tree from its caches to the same graph", () => {
    const before = firstBuild(SYNTHETIC, SYNTHETIC_CONFIG);
    const again = buildLineage(SYNTHETIC, SYNTHETIC_CONFIG, {
      cache: before.analyses,
      dbtCache: before.dbtReads,
    });
    expect(JSON.stringify(again.graph)).toBe(JSON.stringify(before.graph));
    expect([...again.analyses.values()].every((a) => before.analyses.get(a.key) === a)).toBe(true);
  });

  it("reuses every cached analysis but the edited file's", () => {
    const before = firstBuild(SYNTHETIC, SYNTHETIC_CONFIG);
    const edited = new Map(SYNTHETIC);
    replaceIn("models/marts/mart_3.sql", "select\n", "select\n    1 as one,\n")(edited);
    const warm = buildLineage(edited, SYNTHETIC_CONFIG, {
      cache: before.analyses,
      dbtCache: before.dbtReads,
    });
    const cached = new Set(before.analyses.values());
    const fresh = [...warm.analyses.values()].filter((a) => !cached.has(a)).map((a) => a.path);
    expect(fresh).toEqual(["models/marts/mart_3.sql"]);
    expect(warm.analyses.size).toBe(before.analyses.size);
    expect([...warm.dbtReads.values()].every((r) => [...before.dbtReads.values()].includes(r))).toBe(true);
  });

  it.each(SYNTHETIC_EDITS)("on a 300-model dbt repository when $name", (edit) => {
    expectRebuildsMatchCold(SYNTHETIC, SYNTHETIC_CONFIG, edit);
  });

  const shop = readTree(join(import.meta.dirname, "../../../examples/shop"));
  const shopConfig = parseConfig(shop.get(".github/backflow.yml") ?? "");
  const SHOP_EDITS: Edit[] = [
    {
      name: "a staging model gains a column that flows through select *",
      apply: replaceIn(
        "models/staging/stg_orders.sql",
        "lower(status) as status,",
        "lower(status) as status,\n        1 as n,",
      ),
    },
    {
      name: "a source column is removed from the YAML",
      apply: replaceIn(
        "models/staging/_sources.yml",
        "          - name: user_id\n            data_type: integer\n",
        "",
      ),
    },
    { name: "a mart is deleted", apply: (files) => files.delete("models/marts/customer_ltv.sql") },
  ];
  it.each(SHOP_EDITS)("on examples/shop when $name", (edit) => {
    expectRebuildsMatchCold(shop, shopConfig, edit);
  });
});

describe("incremental rebuild property", { timeout: 60_000 }, () => {
  const base = syntheticRepo(24);
  const sqlPaths = [...base.keys()].filter((p) => p.endsWith(".sql")).sort();
  const edit = fc.record({
    index: fc.nat({ max: sqlPaths.length - 1 }),
    kind: fc.constantFrom("comment", "column", "delete", "star"),
  });

  it("matches a cold build after any sequence of one-file edits", () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let files = new Map(base);
        let built = buildLineage(files, SYNTHETIC_CONFIG);
        for (const { index, kind } of edits) {
          const path = sqlPaths[index] ?? "";
          files = new Map(files);
          const text = files.get(path);
          if (kind === "delete" || text === undefined) files.delete(path);
          else if (kind === "comment") files.set(path, `${text}\n-- edited\n`);
          else if (kind === "column")
            files.set(path, text.replace(/^select\b/m, "select\n    42 as answer,"));
          else
            files.set(path, `select * from {{ ref('${path.slice(path.lastIndexOf("/") + 1, -4)}_up') }}\n`);
          built = buildLineage(files, SYNTHETIC_CONFIG, { cache: built.analyses, dbtCache: built.dbtReads });
        }
        expect(JSON.stringify(built.graph)).toBe(JSON.stringify(buildLineage(files, SYNTHETIC_CONFIG).graph));
      }),
      { numRuns: 12 },
    );
  });
});
