import { describe, expect, it } from "vitest";
import { diffContracts } from "../../../src/core/contracts/diff-contracts.js";
import { loadFile } from "../../../src/core/contracts/load-contracts.js";
import { contractFrom, dbt, odcs } from "./fixtures.js";

const ODCS_PROPERTIES = `      - name: order_id
        logicalType: integer
        physicalType: integer
        required: true
        unique: true
        description: Order key.
      - name: status
        logicalType: string
        physicalType: varchar(20)
        quality:
          - id: status_values
            metric: invalidValues
            arguments:
              validValues: [placed, shipped]
            mustBe: 0
      - name: amount
        logicalType: number
        physicalType: numeric(12, 2)
        logicalTypeOptions:
          minimum: 0
        quality:
          - id: amount_nulls
            metric: nullValues
            mustBeLessThan: 10`;
const SLA = "  - property: latency\n    value: 4\n    unit: h";
const baseOdcs = odcs({ properties: ODCS_PROPERTIES, sla: SLA });

type Case = { name: string; edit: (text: string) => string; kind: string; cls: string };
const replace = (from: string, to: string) => (text: string) => {
  if (!text.includes(from)) throw new Error(`fixture has no ${from}`);
  return text.replace(from, to);
};

const ODCS_CASES: Case[] = [
  {
    name: "removing a column",
    edit: replace(ODCS_PROPERTIES.slice(ODCS_PROPERTIES.indexOf("      - name: amount")), ""),
    kind: "column_removed",
    cls: "breaking",
  },
  {
    name: "renaming a column in place without evidence (datacontract-cli: field removed + added)",
    edit: replace("name: order_id", "name: id"),
    kind: "column_removed,column_added",
    cls: "breaking",
  },
  {
    name: "renaming a column the contract marks renamedFrom (a rename, breaking)",
    edit: replace(
      "name: order_id",
      "name: id\n        customProperties:\n          - property: renamedFrom\n            value: order_id",
    ),
    kind: "column_renamed",
    cls: "breaking",
  },
  {
    name: "adding an optional column",
    edit: (t) =>
      t.replace(
        "      - name: status",
        "      - name: note\n        logicalType: string\n      - name: status",
      ),
    kind: "column_added",
    cls: "non-breaking",
  },
  {
    name: "integer → bigint (dbt: every data_type change is breaking, widening included)",
    edit: replace("physicalType: integer", "physicalType: bigint"),
    kind: "type_widened",
    cls: "breaking",
  },
  {
    name: "numeric(12, 2) → numeric(10, 2)",
    edit: replace("numeric(12, 2)", "numeric(10, 2)"),
    kind: "type_narrowed",
    cls: "breaking",
  },
  {
    name: "varchar(20) → varchar(50) (datacontract-cli type-changed: error)",
    edit: replace("varchar(20)", "VARCHAR(50)"),
    kind: "type_widened",
    cls: "breaking",
  },
  {
    name: "varchar(20) → varchar(10)",
    edit: replace("varchar(20)", "varchar(10)"),
    kind: "type_narrowed",
    cls: "breaking",
  },
  {
    name: "string → integer (datacontract-cli type-changed: error)",
    edit: (t) =>
      t.replace(
        "logicalType: string\n        physicalType: varchar(20)",
        "logicalType: integer\n        physicalType: integer",
      ),
    kind: "type_changed",
    cls: "breaking",
  },
  {
    name: "dropping required (consumers lose non-null)",
    edit: replace("        required: true\n", ""),
    kind: "required_removed",
    cls: "breaking",
  },
  {
    name: "adding required (producer constrained)",
    edit: replace("physicalType: varchar(20)", "physicalType: varchar(20)\n        required: true"),
    kind: "required_added",
    cls: "breaking",
  },
  {
    name: "dropping unique",
    edit: replace("        unique: true\n", ""),
    kind: "unique_removed",
    cls: "breaking",
  },
  {
    name: "removing an allowed value",
    edit: replace("[placed, shipped]", "[placed]"),
    kind: "allowed_values_removed",
    cls: "breaking",
  },
  {
    name: "adding an allowed value",
    edit: replace("[placed, shipped]", "[placed, shipped, returned]"),
    kind: "allowed_values_added",
    cls: "unknown",
  },
  {
    name: "raising a minimum",
    edit: replace("minimum: 0", "minimum: 10"),
    kind: "range_tightened",
    cls: "breaking",
  },
  {
    name: "lowering a minimum (datacontract-cli validation loosening: info)",
    edit: replace("minimum: 0", "minimum: -5"),
    kind: "range_loosened",
    cls: "non-breaking",
  },
  {
    name: "tightening a quality threshold",
    edit: replace("mustBeLessThan: 10", "mustBeLessThan: 5"),
    kind: "rule_tightened",
    cls: "non-breaking",
  },
  {
    name: "loosening a quality threshold",
    edit: replace("mustBeLessThan: 10", "mustBeLessOrEqualTo: 20"),
    kind: "rule_loosened",
    cls: "breaking",
  },
  {
    name: "changing a rule's metric",
    edit: replace("metric: nullValues", "metric: missingValues"),
    kind: "rule_changed",
    cls: "unknown",
  },
  {
    name: "removing a quality rule",
    edit: replace(
      "        quality:\n          - id: amount_nulls\n            metric: nullValues\n            mustBeLessThan: 10",
      "",
    ),
    kind: "rule_removed",
    cls: "breaking",
  },
  {
    name: "adding a dataset-level rule",
    edit: replace(
      "    physicalName: fct_orders\n",
      "    physicalName: fct_orders\n    quality:\n      - id: rows\n        metric: rowCount\n        mustBeGreaterThan: 0\n",
    ),
    kind: "rule_added",
    cls: "non-breaking",
  },
  {
    name: "loosening the freshness SLA",
    edit: replace("value: 4", "value: 8"),
    kind: "freshness_loosened",
    cls: "breaking",
  },
  {
    name: "tightening the freshness SLA",
    edit: replace("value: 4", "value: 2"),
    kind: "freshness_tightened",
    cls: "non-breaking",
  },
  {
    name: "removing the freshness SLA",
    edit: replace(`slaProperties:\n${SLA}\n`, ""),
    kind: "freshness_removed",
    cls: "breaking",
  },
  {
    name: "editing a description",
    edit: replace("description: Order key.", "description: The order's key."),
    kind: "docs_changed",
    cls: "non-breaking",
  },
  {
    name: "changing the status",
    edit: replace("status: active", "status: deprecated"),
    kind: "status_changed",
    cls: "non-breaking",
  },
];

describe("diffContracts on ODCS contracts", () => {
  it.each(ODCS_CASES)("classifies $name as $kind ($cls)", ({ edit, kind, cls }) => {
    const changes = diffContracts(contractFrom(baseOdcs), contractFrom(edit(baseOdcs)));
    expect(changes.map((c) => c.kind)).toEqual(kind.split(","));
    expect(changes[0]?.class).toBe(cls);
    expect(changes[0]?.file).toBe("contracts/test.odcs.yaml");
    expect(changes[0]?.line).toBeGreaterThan(0);
  });

  it("does not report equal durations written in other units", () => {
    const head = replace("value: 4\n    unit: h", "value: 240\n    unit: minutes")(baseOdcs);
    expect(diffContracts(contractFrom(baseOdcs), contractFrom(head))).toEqual([]);
  });

  it("points a removed column at the base line and an added one at the head line", () => {
    const head = replace("      - name: status", "      - name: note\n      - name: status")(baseOdcs);
    const [added] = diffContracts(contractFrom(baseOdcs), contractFrom(head));
    expect(head.split("\n")[(added?.line ?? 0) - 1]).toContain("name: note");
  });

  it("reports every dataset of a deleted contract as removed, and of a new one as added", () => {
    const contract = contractFrom(baseOdcs);
    expect(diffContracts(contract, null).map((c) => [c.kind, c.class, c.dataset])).toEqual([
      ["dataset_removed", "breaking", "fct_orders"],
    ]);
    expect(diffContracts(null, contract).map((c) => [c.kind, c.class])).toEqual([
      ["dataset_added", "non-breaking"],
    ]);
    expect(diffContracts(null, null)).toEqual([]);
  });

  it("keeps a dataset matched when only its logical name changes but it stays bound to the same table", () => {
    const head = replace("  - name: orders\n", "  - name: orders_v2\n")(baseOdcs);
    expect(diffContracts(contractFrom(baseOdcs), contractFrom(head))).toEqual([]);
  });
});

const DBT_COLUMNS = `      - name: order_id
        data_type: integer
        constraints:
          - type: not_null
          - type: primary_key
      - name: status
        data_type: text
        data_tests:
          - accepted_values:
              values: ["placed", "shipped"]
      - name: amount
        data_type: numeric(12,2)`;
const baseDbt = dbt(DBT_COLUMNS);
const DBT_FILE = "models/_schema.yml";

const DBT_CASES: Case[] = [
  {
    name: "removing a column",
    edit: replace("      - name: amount\n        data_type: numeric(12,2)", ""),
    kind: "column_removed",
    cls: "breaking",
  },
  {
    name: "adding a column",
    edit: (t) => `${t}      - name: note\n        data_type: text\n`,
    kind: "column_added",
    cls: "non-breaking",
  },
  {
    name: "int → bigint (dbt: every data_type change is breaking)",
    edit: replace("data_type: integer", "data_type: bigint"),
    kind: "type_widened",
    cls: "breaking",
  },
  {
    name: "text → varchar(10)",
    edit: replace("data_type: text", "data_type: varchar(10)"),
    kind: "type_narrowed",
    cls: "breaking",
  },
  {
    name: "numeric → text (dbt: data_type change is breaking)",
    edit: replace("numeric(12,2)", "text"),
    kind: "type_changed",
    cls: "breaking",
  },
  {
    name: "removing the primary key constraint (dbt: enforced constraint removed is breaking)",
    edit: replace("          - type: primary_key\n", ""),
    kind: "pk_removed",
    cls: "breaking",
  },
  {
    name: "adding a not_null test (a check, not a constraint: binds the producer, not breaking)",
    edit: replace("        data_tests:\n", "        data_tests:\n          - not_null\n"),
    kind: "rule_added",
    cls: "non-breaking",
  },
  {
    name: "removing an accepted value (an accepted_values test: binds the producer, dbt does not count tests)",
    edit: replace('["placed", "shipped"]', '["placed"]'),
    kind: "allowed_values_removed",
    cls: "non-breaking",
  },
  {
    name: "adding an accepted value (dbt ≥1.10 arguments form)",
    edit: replace(
      'values: ["placed", "shipped"]',
      'arguments:\n                values: ["placed", "shipped", "lost"]',
    ),
    kind: "allowed_values_added",
    cls: "unknown",
  },
  {
    name: "adding a check constraint",
    edit: replace(
      "data_type: numeric(12,2)",
      "data_type: numeric(12,2)\n        constraints:\n          - type: check\n            expression: amount >= 0",
    ),
    kind: "rule_added",
    cls: "non-breaking",
  },
];

describe("diffContracts on dbt model contracts", () => {
  it.each(DBT_CASES)("classifies $name as $kind ($cls)", ({ edit, kind, cls }) => {
    const changes = diffContracts(contractFrom(baseDbt, DBT_FILE), contractFrom(edit(baseDbt), DBT_FILE));
    expect(changes.map((c) => c.kind)).toEqual(kind.split(","));
    expect(changes[0]?.class).toBe(cls);
  });

  it("treats turning contract enforcement off as removing the contracted dataset", () => {
    const head = loadFile(DBT_FILE, replace("enforced: true", "enforced: false")(baseDbt));
    expect(head.contracts).toEqual([]);
    const [change] = diffContracts(contractFrom(baseDbt, DBT_FILE), head.contracts[0] ?? null);
    expect(change).toMatchObject({ kind: "dataset_removed", class: "breaking", dataset: "fct_orders" });
    expect(change?.message).toContain("no longer enforced");
  });
});
