import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { bindContracts, closestTables } from "../../../src/core/contracts/bind-contract.js";
import type { Contract } from "../../../src/core/contracts/contract.js";
import { ContractChangeSchema } from "../../../src/core/contracts/contract-change.js";
import { modelConfigLookup, sqlConfigOf } from "../../../src/core/contracts/dbt-model-config.js";
import { diffContractSets } from "../../../src/core/contracts/diff-contract-sets.js";
import { diffContracts } from "../../../src/core/contracts/diff-contracts.js";
import { loadContracts, loadFile } from "../../../src/core/contracts/load-contracts.js";
import { contractFrom, odcs } from "./fixtures.js";

type Expect = { kinds: string; cls: string; mustAct: string };
type Case = { name: string; before: string; after: string } & Expect;

/** One ODCS property `code` with the given extra lines (8-space indented keys). */
const prop = (extra: string) =>
  odcs({
    properties: `      - name: code\n        logicalType: string\n        physicalType: varchar(50)\n${extra}`,
  });
const opts = (lines: string) =>
  prop(
    `        logicalTypeOptions:\n${lines
      .split("\n")
      .map((l) => `          ${l}`)
      .join("\n")}`,
  );

const diff = (before: string, after: string, options = {}) =>
  diffContracts(contractFrom(before), contractFrom(after), options);

const expectOne = (changes: ReturnType<typeof diff>, e: Expect) => {
  for (const change of changes) expect(ContractChangeSchema.parse(change)).toEqual(change);
  expect(changes.map((c) => c.kind).join(",")).toBe(e.kinds);
  expect(changes.map((c) => c.class)).toEqual(e.kinds.split(",").map(() => e.cls));
  expect(changes.map((c) => c.mustAct)).toEqual(e.kinds.split(",").map(() => e.mustAct));
};

const OPTION_CASES: Case[] = [
  {
    name: "maxLength 50 → 10 is breaking (datacontract-cli validation tightening: error)",
    before: opts("maxLength: 50"),
    after: opts("maxLength: 10"),
    kinds: "length_tightened",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "maxLength 10 → 50 is not breaking (datacontract-cli validation loosening: info)",
    before: opts("maxLength: 10"),
    after: opts("maxLength: 50"),
    kinds: "length_loosened",
    cls: "non-breaking",
    mustAct: "nobody",
  },
  {
    name: "adding maxLength is breaking (a new bound)",
    before: prop(""),
    after: opts("maxLength: 10"),
    kinds: "length_tightened",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "minLength 1 → 3 is breaking (datacontract-cli: error)",
    before: opts("minLength: 1"),
    after: opts("minLength: 3"),
    kinds: "length_tightened",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "removing minLength is not breaking (info)",
    before: opts("minLength: 3"),
    after: prop(""),
    kinds: "length_loosened",
    cls: "non-breaking",
    mustAct: "nobody",
  },
  {
    name: "adding a pattern is breaking (datacontract-cli: error)",
    before: prop(""),
    after: opts("pattern: '^[A-Z]+$'"),
    kinds: "pattern_added",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "removing a pattern is not breaking",
    before: opts("pattern: '^[A-Z]+$'"),
    after: prop(""),
    kinds: "pattern_removed",
    cls: "non-breaking",
    mustAct: "nobody",
  },
  {
    name: "changing a pattern is unknown (datacontract-cli: warning)",
    before: opts("pattern: '^[A-Z]+$'"),
    after: opts("pattern: '^[a-z]+$'"),
    kinds: "pattern_changed",
    cls: "unknown",
    mustAct: "consumers",
  },
  {
    name: "adding a format is breaking",
    before: prop(""),
    after: opts("format: email"),
    kinds: "format_added",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "changing a format is unknown",
    before: opts("format: email"),
    after: opts("format: uri"),
    kinds: "format_changed",
    cls: "unknown",
    mustAct: "consumers",
  },
  {
    name: "maximum 100 → 50 is breaking (datacontract-cli: error)",
    before: opts("maximum: 100"),
    after: opts("maximum: 50"),
    kinds: "range_tightened",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "maximum 50 → 100 is not breaking (info)",
    before: opts("maximum: 50"),
    after: opts("maximum: 100"),
    kinds: "range_loosened",
    cls: "non-breaking",
    mustAct: "nobody",
  },
  {
    name: "minimum 0 → exclusiveMinimum 0 is breaking (0 no longer allowed)",
    before: opts("minimum: 0"),
    after: opts("exclusiveMinimum: 0"),
    kinds: "range_tightened",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "exclusiveMaximum 10 → maximum 10 is not breaking (10 now allowed)",
    before: opts("exclusiveMaximum: 10"),
    after: opts("maximum: 10"),
    kinds: "range_loosened",
    cls: "non-breaking",
    mustAct: "nobody",
  },
  {
    name: "ODCS 3.0 exclusiveMinimum: true on minimum 0 reads as > 0 (same as exclusiveMinimum: 0)",
    before: opts("minimum: 0\nexclusiveMinimum: true"),
    after: opts("exclusiveMinimum: 0"),
    kinds: "",
    cls: "",
    mustAct: "",
  },
  {
    name: "a range moved up on both ends is breaking (a side tightened)",
    before: opts("minimum: 0\nmaximum: 10"),
    after: opts("minimum: 5\nmaximum: 20"),
    kinds: "range_tightened",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "precision 12 → 10 narrows the type (breaking; the producer must fit)",
    before: opts("precision: 12\nscale: 2"),
    after: opts("precision: 10\nscale: 2"),
    kinds: "type_narrowed",
    cls: "breaking",
    mustAct: "producer",
  },
  {
    name: "scale 2 → 4 widens the type (dbt: every type change is breaking)",
    before: opts("precision: 12\nscale: 2"),
    after: opts("precision: 14\nscale: 4"),
    kinds: "type_widened",
    cls: "breaking",
    mustAct: "consumers",
  },
];

describe("ODCS logicalTypeOptions", () => {
  it.each(OPTION_CASES)("$name", ({ before, after, ...e }) => {
    const changes = diff(before, after);
    if (e.kinds === "") expect(changes).toEqual([]);
    else expectOne(changes, e);
  });
});

const typed = (physical: string) =>
  odcs({ properties: `      - name: code\n        logicalType: integer\n        physicalType: ${physical}` });

describe("type changes", () => {
  it("data_type int → bigint is breaking (dbt: every data_type change); consumers must act", () => {
    expectOne(diff(typed("int"), typed("bigint")), {
      kinds: "type_widened",
      cls: "breaking",
      mustAct: "consumers",
    });
  });
  it("int → bigint is non-breaking when the repository opts in (contracts.widening: non-breaking)", () => {
    const changes = diff(typed("int"), typed("bigint"), { wideningNonBreaking: true });
    expectOne(changes, { kinds: "type_widened", cls: "non-breaking", mustAct: "nobody" });
    expect(changes[0]?.message).toContain("contracts.widening");
  });
  it("the opt-in never excuses a narrowing (bigint → int stays breaking)", () => {
    expectOne(diff(typed("bigint"), typed("int"), { wideningNonBreaking: true }), {
      kinds: "type_narrowed",
      cls: "breaking",
      mustAct: "producer",
    });
  });
  it("int → varchar is breaking (datacontract-cli type-changed: error)", () => {
    expectOne(diff(typed("int"), typed("varchar(20)")), {
      kinds: "type_changed",
      cls: "breaking",
      mustAct: "consumers",
    });
  });
});

const cols = (names: string[]) =>
  odcs({
    properties: names
      .map((n) => `      - name: ${n}\n        logicalType: string\n        physicalType: text`)
      .join("\n"),
  });

describe("renames need evidence", () => {
  it("customer_id removed and an unrelated region added is a removal plus an addition, not a rename", () => {
    const changes = diff(cols(["order_id", "customer_id"]), cols(["order_id", "region"]));
    expect(changes.map((c) => [c.kind, c.column])).toEqual([
      ["column_removed", "customer_id"],
      ["column_added", "region"],
    ]);
  });
  it("a rename the SQL shows (same expression, new alias) is reported as a rename", () => {
    const changes = diff(cols(["order_id", "customer_id"]), cols(["order_id", "cust_id"]), {
      sqlRenames: new Map([["fct_orders", new Map([["customer_id", "cust_id"]])]]),
    });
    expect(changes.map((c) => [c.kind, c.before, c.after, c.class])).toEqual([
      ["column_renamed", "customer_id", "cust_id", "breaking"],
    ]);
    expect(changes[0]?.message).toContain("the SQL");
  });
  it("a rename the contract states (customProperties renamedFrom) is reported as a rename", () => {
    const after = cols(["order_id", "cust_id"]).replace(
      "name: cust_id",
      "name: cust_id\n        customProperties:\n          - property: renamedFrom\n            value: customer_id",
    );
    expect(diff(cols(["order_id", "customer_id"]), after).map((c) => c.kind)).toEqual(["column_renamed"]);
  });
  it("SQL evidence for another table does not make a rename", () => {
    const changes = diff(cols(["customer_id"]), cols(["cust_id"]), {
      sqlRenames: new Map([["other_table", new Map([["customer_id", "cust_id"]])]]),
    });
    expect(changes.map((c) => c.kind)).toEqual(["column_removed", "column_added"]);
  });
});

const DBT = "models/_schema.yml";
const dbtModel = (column: string, extra = "") => `version: 2
models:
  - name: fct_orders
    config:
      contract:
        enforced: true
${extra}    columns:
      - name: order_id
        data_type: int
${column}`;
const dbtDiff = (before: string, after: string) =>
  diffContracts(contractFrom(before, DBT), contractFrom(after, DBT));

describe("dbt constraints vs tests", () => {
  const constraint = "        constraints:\n          - type: not_null\n";
  const test = "        data_tests:\n          - not_null\n";
  it("removing a not_null constraint is breaking even when a not_null test remains (dbt: constraint removed)", () => {
    const changes = dbtDiff(dbtModel(constraint + test), dbtModel(test));
    expectOne(changes, { kinds: "required_removed", cls: "breaking", mustAct: "consumers" });
    expect(changes[0]?.message).toContain("a not_null test remains");
  });
  it("adding a not_null constraint binds the producer and is not breaking for consumers (dbt)", () => {
    const changes = dbtDiff(dbtModel(""), dbtModel(constraint));
    expectOne(changes, { kinds: "required_added", cls: "non-breaking", mustAct: "producer" });
  });
  it("adding a primary_key constraint binds the producer (dbt: added constraints are not breaking)", () => {
    const changes = dbtDiff(dbtModel(""), dbtModel("        constraints:\n          - type: primary_key\n"));
    expectOne(changes, { kinds: "pk_added", cls: "non-breaking", mustAct: "producer" });
  });
  it("turning a not_null test into a constraint reports only the new guarantee", () => {
    expect(dbtDiff(dbtModel(test), dbtModel(constraint)).map((c) => c.kind)).toEqual(["required_added"]);
  });
  it("removing a lone not_null test removes a check consumers relied on", () => {
    expectOne(dbtDiff(dbtModel(test), dbtModel("")), {
      kinds: "rule_removed",
      cls: "breaking",
      mustAct: "consumers",
    });
  });
  it("in ODCS, required false → true is breaking for the producer (datacontract-cli required-changed: error)", () => {
    const changes = diff(
      cols(["code"]),
      cols(["code"]).replace("physicalType: text", "physicalType: text\n        required: true"),
    );
    expectOne(changes, { kinds: "required_added", cls: "breaking", mustAct: "producer" });
  });
});

const dbtContract = (text: string, sql?: string): { contracts: Contract[]; disabled: Contract[] } => {
  const loaded = loadFile(
    DBT,
    text,
    false,
    sql === undefined ? undefined : () => ({ sql: sqlConfigOf(sql), project: {} }),
  );
  const bind = (cs: Contract[]) =>
    cs.map((c) => ({ ...c, datasets: c.datasets.map((d) => ({ ...d, tableId: d.bindingHint ?? d.name })) }));
  return { contracts: bind(loaded.contracts), disabled: bind(loaded.disabled ?? []) };
};

describe("dbt model lifecycle", () => {
  const enforced = dbtModel("        constraints:\n          - type: not_null\n");
  it("disabling a contracted model (enabled: false) is breaking, like deleting it (dbt)", () => {
    const base = dbtContract(enforced);
    const head = dbtContract(
      enforced.replace("        enforced: true\n", "        enforced: true\n      enabled: false\n"),
    );
    expect(head.contracts).toEqual([]);
    const changes = diffContractSets(base.contracts, head.contracts, { disabledAtHead: head.disabled });
    expectOne(changes, { kinds: "dataset_removed", cls: "breaking", mustAct: "consumers" });
    expect(changes[0]?.message).toContain("enabled: false");
  });
  it("disabling through the model's SQL config(enabled=false) counts too", () => {
    const head = dbtContract(enforced, "{{ config(enabled=false) }}\nselect 1 as order_id");
    expect(head.disabled.map((c) => c.id)).toEqual(["fct_orders"]);
  });
  it("table → view with enforced constraints is breaking (dbt: materialization can no longer enforce them)", () => {
    const base = dbtContract(enforced, "{{ config(materialized='table') }} select 1");
    const head = dbtContract(enforced, "{{ config(materialized='view') }} select 1");
    const changes = diffContractSets(base.contracts, head.contracts);
    expectOne(changes, { kinds: "materialization_changed", cls: "breaking", mustAct: "consumers" });
  });
  it("takes materialization from dbt_project.yml folder defaults, overridden by the YAML and by config()", () => {
    const project = `name: shop\nmodels:\n  shop:\n    +materialized: view\n    marts:\n      +materialized: table\n      legacy:\n        +enabled: false\n`;
    const files = new Map([
      ["dbt_project.yml", project],
      ["models/marts/fct_orders.sql", "select 1"],
      ["models/marts/legacy/old_orders.sql", "select 1"],
      ["models/staging/stg_orders.sql", "{{ config(materialized='incremental') }} select 1"],
    ]);
    const lookup = modelConfigLookup(files);
    expect(lookup("fct_orders")).toEqual({ sql: {}, project: { materialized: "table" } });
    expect(lookup("old_orders").project).toEqual({ materialized: "table", enabled: false });
    expect(lookup("stg_orders")).toEqual({
      sql: { materialized: "incremental" },
      project: { materialized: "view" },
    });
  });
  it("a folder default moving marts from table to view breaks the contracted model with constraints", () => {
    const files = (materialized: string) =>
      new Map([
        [
          "dbt_project.yml",
          `name: shop\nmodels:\n  shop:\n    marts:\n      +materialized: ${materialized}\n`,
        ],
        ["models/marts/fct_orders.sql", "select 1 as order_id"],
        ["models/marts/_schema.yml", enforced],
      ]);
    const config = parseConfig(undefined);
    const base = loadContracts(files("table"), config).contracts;
    const head = loadContracts(files("view"), config).contracts;
    expect(diffContractSets(base, head).map((c) => [c.kind, c.before, c.after])).toEqual([
      ["materialization_changed", "table", "view"],
    ]);
  });
  it("table → view without constraints is not a contract change (dbt checks it only with constraints)", () => {
    const plain = dbtModel("");
    const base = dbtContract(
      plain.replace("enforced: true\n", "enforced: true\n      materialized: table\n"),
    );
    const head = dbtContract(plain.replace("enforced: true\n", "enforced: true\n      materialized: view\n"));
    expect(diffContractSets(base.contracts, head.contracts)).toEqual([]);
  });
});

const versioned = (v2Columns: string, latest = 1) => `version: 2
models:
  - name: dim_customers
    latest_version: ${latest}
    config:
      contract:
        enforced: true
    columns:
      - name: customer_id
        data_type: int
      - name: country
        data_type: text
    versions:
      - v: 1
${v2Columns}`;
const v2 =
  "      - v: 2\n        columns:\n          - include: all\n            exclude: [country]\n          - name: country_code\n            data_type: text\n";

describe("dbt model versions (ContractBreakingChangeError applies per version)", () => {
  it("a breaking change delivered as a new version is not breaking for consumers pinned to v1", () => {
    const base = dbtContract(versioned(""));
    const head = dbtContract(versioned(v2));
    expect(
      head.contracts.map((c) => [c.id, c.datasets[0]?.tableId, c.datasets[0]?.columns.map((x) => x.name)]),
    ).toEqual([
      ["dim_customers.v1", "dim_customers_v1", ["customer_id", "country"]],
      ["dim_customers.v2", "dim_customers_v2", ["customer_id", "country_code"]],
    ]);
    const changes = diffContractSets(base.contracts, head.contracts);
    expect(changes.map((c) => [c.contractId, c.kind, c.class])).toEqual([
      ["dim_customers.v2", "dataset_added", "non-breaking"],
    ]);
  });
  it("a breaking change to an existing version is breaking", () => {
    const base = dbtContract(versioned(""));
    const head = dbtContract(versioned("").replace("      - name: country\n        data_type: text\n", ""));
    const changes = diffContractSets(base.contracts, head.contracts);
    expect(changes.map((c) => [c.contractId, c.kind, c.class])).toEqual([
      ["dim_customers.v1", "column_removed", "breaking"],
    ]);
  });
  it("moving latest_version reports what unpinned ref('dim_customers') consumers lose", () => {
    const base = dbtContract(versioned(v2, 1));
    const head = dbtContract(versioned(v2, 2));
    const changes = diffContractSets(base.contracts, head.contracts);
    expect(changes.map((c) => [c.kind, c.class])).toEqual([
      ["latest_version_changed", "non-breaking"],
      ["column_removed", "breaking"],
    ]);
    expect(changes[1]?.message).toContain("without a version");
  });
});

const slas = (lines: string) =>
  odcs({ properties: "      - name: code\n        logicalType: string", sla: lines });

describe("ODCS slaProperties", () => {
  const cases: Case[] = [
    {
      name: "availability 99.9% → 99% is weaker: breaking for consumers",
      before: slas("  - property: availability\n    value: 99.9\n    unit: percent"),
      after: slas("  - property: availability\n    value: 99\n    unit: percent"),
      kinds: "sla_weakened",
      cls: "breaking",
      mustAct: "consumers",
    },
    {
      name: "availability 99% → 99.9% is stronger: binds the producer",
      before: slas("  - property: availability\n    value: 99\n    unit: percent"),
      after: slas("  - property: availability\n    value: 99.9\n    unit: percent"),
      kinds: "sla_strengthened",
      cls: "non-breaking",
      mustAct: "producer",
    },
    {
      name: "retention 3 years → 1 year is weaker",
      before: slas("  - property: retention\n    value: 3\n    unit: y"),
      after: slas("  - property: retention\n    value: 1\n    unit: y"),
      kinds: "sla_weakened",
      cls: "breaking",
      mustAct: "consumers",
    },
    {
      name: "frequency 1 d → 1 h is stronger",
      before: slas("  - property: frequency\n    value: 1\n    unit: d"),
      after: slas("  - property: frequency\n    value: 1\n    unit: h"),
      kinds: "sla_strengthened",
      cls: "non-breaking",
      mustAct: "producer",
    },
    {
      name: "frequency 1 h → 1 d is weaker",
      before: slas("  - property: frequency\n    value: 1\n    unit: h"),
      after: slas("  - property: frequency\n    value: 1\n    unit: d"),
      kinds: "sla_weakened",
      cls: "breaking",
      mustAct: "consumers",
    },
    {
      name: "latency 4 h → 8 h is weaker (freshness)",
      before: slas("  - property: latency\n    value: 4\n    unit: h"),
      after: slas("  - property: latency\n    value: 8\n    unit: h"),
      kinds: "freshness_loosened",
      cls: "breaking",
      mustAct: "consumers",
    },
    {
      name: "latency 8 h → 4 h is stronger: binds the producer",
      before: slas("  - property: latency\n    value: 8\n    unit: h"),
      after: slas("  - property: latency\n    value: 4\n    unit: h"),
      kinds: "freshness_tightened",
      cls: "non-breaking",
      mustAct: "producer",
    },
    {
      name: "removing the retention SLA is breaking",
      before: slas("  - property: retention\n    value: 1\n    unit: y"),
      after: slas("  - property: latency\n    value: 4\n    unit: h").replace(
        /slaProperties:[\s\S]*?team:/,
        "team:",
      ),
      kinds: "sla_removed",
      cls: "breaking",
      mustAct: "consumers",
    },
    {
      name: "adding an availability SLA binds the producer",
      before: slas("  - property: latency\n    value: 4\n    unit: h"),
      after: slas(
        "  - property: latency\n    value: 4\n    unit: h\n  - property: availability\n    value: 99.5",
      ),
      kinds: "sla_added",
      cls: "non-breaking",
      mustAct: "producer",
    },
    {
      name: "12 months of retention equal 360 days: no change",
      before: slas("  - property: retention\n    value: 12\n    unit: months"),
      after: slas("  - property: retention\n    value: 360\n    unit: d"),
      kinds: "",
      cls: "",
      mustAct: "",
    },
  ];
  it.each(cases)("$name", ({ before, after, ...e }) => {
    const changes = diff(before, after).filter((c) => c.kind !== "version_changed");
    if (e.kinds === "") expect(changes).toEqual([]);
    else expectOne(changes, e);
  });
});

const DCS = `dataContractSpecification: 1.1.0
id: orders-latest
info:
  title: Orders
  version: 1.0.0
  owner: "@checkout-team"
models:
  orders:
    description: All orders
    fields:
      order_id:
        type: varchar
        required: true
        primaryKey: true
        maxLength: 50
      status:
        type: text
        enum: [placed, shipped]
      amount:
        type: decimal
        precision: 12
        scale: 2
        minimum: 0
        config:
          snowflakeType: NUMBER(12,2)
servicelevels:
  availability:
    percentage: 99.9%
  retention:
    period: P1Y
  freshness:
    threshold: 25h
`;

describe("Data Contract Specification (datacontract.yaml)", () => {
  const load = (text: string) => contractFrom(text, "datacontract.yaml");
  it("reads models, fields, field constraints, physical types and service levels", () => {
    const c = load(DCS);
    expect(c).toMatchObject({
      id: "orders-latest",
      format: "dcs",
      version: "1.0.0",
      owners: ["@checkout-team"],
    });
    const [orders] = c.datasets;
    expect(
      orders?.columns.map((x) => [x.name, x.type, x.physicalType ?? null, x.required, x.primaryKey]),
    ).toEqual([
      ["order_id", "varchar", null, true, true],
      ["status", "text", null, false, false],
      ["amount", "decimal", "NUMBER(12,2)", false, false],
    ]);
    expect(orders?.columns[0]?.maxLength).toBe(50);
    expect(orders?.columns[1]?.allowedValues).toEqual(["placed", "shipped"]);
    expect(orders?.columns[2]).toMatchObject({ precision: 12, scale: 2, minimum: 0 });
    expect(orders?.freshness).toMatchObject({ value: 25, unit: "h" });
    expect(orders?.slas?.map((s) => [s.property, s.value])).toEqual([
      ["availability", "99.9%"],
      ["retention", "P1Y"],
    ]);
  });
  it("diffs like ODCS: maxLength 50 → 10, retention P1Y → P30D, freshness 25h → 48h", () => {
    const after = DCS.replace("maxLength: 50", "maxLength: 10").replace("P1Y", "P30D").replace("25h", "48h");
    const changes = diffContracts(load(DCS), load(after));
    expect(changes.map((c) => [c.kind, c.class])).toEqual([
      ["length_tightened", "breaking"],
      ["freshness_loosened", "breaking"],
      ["sla_weakened", "breaking"],
    ]);
  });
  it("reports a broken datacontract.yaml with its key path instead of skipping it", () => {
    const { contracts, diagnostics } = loadFile("datacontract.yaml", DCS.replace("  version: 1.0.0\n", ""));
    expect(contracts).toEqual([]);
    expect(diagnostics[0]).toMatchObject({ severity: "error", path: "info.version" });
  });
});

describe("contracts bound to nothing", () => {
  it("reports a dataset that matches no model, with a did-you-mean (mart_01 → mart_001)", () => {
    const contract = contractFrom(
      odcs({ properties: "      - name: a" }).replace("physicalName: fct_orders", "physicalName: mart_01"),
    );
    const { diagnostics } = bindContracts([contract], {}, ["mart_001", "mart_002", "stg_orders"]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.message).toContain("bound to nothing");
    expect(diagnostics[0]?.message).toContain('did you mean "mart_001"?');
  });
  it("suggests the nearest names by edit distance, and nothing when nothing is close", () => {
    const known = new Set(["fct_orders", "fct_order_items", "dim_customers"]);
    expect(closestTables("fct_ordrs", known)).toEqual(["fct_orders"]);
    expect(closestTables("analytics.public.dim_customer", known)).toEqual(["dim_customers"]);
    expect(closestTables("revenue_by_month", known)).toEqual([]);
  });
});
