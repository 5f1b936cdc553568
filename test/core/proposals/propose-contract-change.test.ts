import { describe, expect, it } from "vitest";
import { checkVersionBump } from "../../../src/core/contracts/check-version-bump.js";
import { diffContracts } from "../../../src/core/contracts/diff-contracts.js";
import { loadFile } from "../../../src/core/contracts/load-contracts.js";
import { editYaml } from "../../../src/core/proposals/edit-yaml.js";
import { proposeContractChange } from "../../../src/core/proposals/propose-contract-change.js";
import { unifiedDiff } from "../../../src/core/proposals/unified-diff.js";
import { exampleRepo, finding } from "./fixtures.js";

// A contract written in a different style than yaml prints by default: unindented sequences,
// padded flow collections, a long description and comments everywhere.
const ODCS = `# Orders contract — owned by analytics.
apiVersion: v3.1.0
kind: DataContract
id: orders
version: "1.4.2" # bump on every change
status: active
tags: [ orders, finance ]
schema:
- name: orders
  physicalName: orders
  description: One row per order placed in the web shop, including the orders that were later cancelled or refunded by support.
  properties:
  - name: order_id
    logicalType: integer
    required: true # never null
  - name: customer_id
    logicalType: integer
    # nulls appear for guest checkouts
    required: false
slaProperties:
- property: latency
  value: 6
  unit: h
`;

function bindingRepo(text: string) {
  const files = new Map([["contracts/orders.odcs.yaml", text]]);
  const contracts = loadFile("contracts/orders.odcs.yaml", text).contracts.map((c) => ({
    ...c,
    datasets: c.datasets.map((d) => ({ ...d, tableId: "orders" })),
  }));
  return { files, contracts, config: exampleRepo().config };
}

function versionRuleHolds(before: string, after: string): boolean {
  const base = loadFile("c.yaml", before).contracts[0] ?? null;
  const head = loadFile("c.yaml", after).contracts[0] ?? null;
  return checkVersionBump(base, head, diffContracts(base, head)).length === 0;
}

describe("editYaml", () => {
  it("returns the text unchanged, byte for byte, when nothing changes", () => {
    expect(editYaml(ODCS, () => {})).toBe(ODCS);
  });

  it("keeps comments, key order, quoting and sequence style around an edit", () => {
    const after = editYaml(ODCS, (doc) => doc.setIn(["schema", 0, "properties", 1, "required"], true));
    expect(unifiedDiff(ODCS, after, "c.yaml")).toBe(
      "--- a/c.yaml\n+++ b/c.yaml\n@@ -16,7 +16,7 @@\n   - name: customer_id\n     logicalType: integer\n     # nulls appear for guest checkouts\n-    required: false\n+    required: true\n slaProperties:\n - property: latency\n   value: 6\n",
    );
  });
});

describe("proposeContractChange", () => {
  it("adds a nullValues rule to a required column as a non-breaking change with a minor bump", () => {
    const repo = bindingRepo(ODCS);
    const proposal = proposeContractChange({
      finding: finding({ tableId: "orders", column: "order_id" }),
      ...repo,
    });
    const after = proposal.edits[0]?.after ?? "";
    expect(proposal.breaking).toBe(false);
    expect(after).toContain('version: "1.5.0" # bump on every change');
    expect(after).toContain(
      "    required: true # never null\n    quality:\n    - id: order_id_nulls\n      type: library\n      metric: nullValues\n      mustBe: 0\n",
    );
    expect(after).toContain("tags: [ orders, finance ]");
    expect(after.split("\n").length).toBe(ODCS.split("\n").length + 7);
    expect(versionRuleHolds(ODCS, after)).toBe(true);
  });

  it("makes a nullable column required as the contract rules class it: breaking, major bump", () => {
    const repo = bindingRepo(ODCS);
    const proposal = proposeContractChange({
      finding: finding({ tableId: "orders", column: "customer_id" }),
      ...repo,
    });
    const after = proposal.edits[0]?.after ?? "";
    expect(proposal.breaking).toBe(true);
    expect(after).toContain('version: "2.0.0"');
    expect(after).toContain(
      "    # nulls appear for guest checkouts\n    required: true\n    quality:\n    - id: customer_id_nulls\n",
    );
    expect(versionRuleHolds(ODCS, after)).toBe(true);
  });

  it("relaxes a rule as a breaking change with a major bump", () => {
    const repo = bindingRepo(ODCS);
    const proposal = proposeContractChange({
      finding: finding({ tableId: "orders", column: "order_id" }),
      direction: "relax",
      ...repo,
    });
    const after = proposal.edits[0]?.after ?? "";
    expect(proposal.breaking).toBe(true);
    expect(after).toContain('version: "2.0.0"');
    expect(after).toContain("    required: false # never null");
    expect(versionRuleHolds(ODCS, after)).toBe(true);
  });

  it.each([
    {
      direction: "tighten" as const,
      threshold: { from: "config" as const, max: 2 },
      value: "2",
      version: "1.5.0",
      breaking: false,
    },
    {
      direction: "relax" as const,
      threshold: { from: "config" as const, max: 6 },
      value: "10",
      version: "2.0.0",
      breaking: true,
    },
  ])("changes the latency SLA ($direction)", ({ direction, threshold, value, version, breaking }) => {
    const repo = bindingRepo(ODCS);
    const proposal = proposeContractChange({
      finding: finding({ tableId: "orders", metric: "latency", kind: "freshness", observed: 9.5, threshold }),
      direction,
      ...repo,
    });
    const after = proposal.edits[0]?.after ?? "";
    expect(after).toContain(`- property: latency\n  value: ${value}\n  unit: h\n`);
    expect(after).toContain(`version: "${version}"`);
    expect(proposal.breaking).toBe(breaking);
    expect(versionRuleHolds(ODCS, after)).toBe(true);
  });

  it("refuses when the contract already promises it", () => {
    const repo = bindingRepo(
      ODCS.replace(
        "required: true # never null",
        "required: true\n    quality:\n    - metric: nullValues\n      mustBe: 0",
      ),
    );
    const proposal = proposeContractChange({
      finding: finding({ tableId: "orders", column: "order_id" }),
      ...repo,
    });
    expect(proposal.edits).toEqual([]);
    expect(proposal.rationale).toMatch(/already states this/);
  });

  it("adds dbt data tests to schema.yml for a model without an ODCS contract", () => {
    const repo = exampleRepo();
    const proposal = proposeContractChange({
      finding: finding({
        tableId: "dim_products",
        column: "product_id",
        metric: "duplicateValues",
        kind: "consistency",
      }),
      ...repo,
    });
    expect(proposal.edits).toEqual([]);
    const added = proposeContractChange({
      finding: finding({
        tableId: "fct_daily_revenue",
        column: "order_date",
        metric: "duplicateValues",
        kind: "consistency",
      }),
      ...repo,
    });
    expect(added.edits[0]?.path).toBe("models/marts/_schema.yml");
    expect(added.edits[0]?.after).toContain(
      "  - name: fct_daily_revenue\n    description: Revenue per order date, excluding returns.\n    columns:\n      - name: order_date\n        data_tests:\n          - unique\n",
    );
  });

  it("edits the example's ODCS contract, keeping its header comment", () => {
    const repo = exampleRepo();
    const proposal = proposeContractChange({
      finding: finding({ tableId: "fct_orders", column: "status" }),
      ...repo,
    });
    const edit = proposal.edits[0];
    expect(edit?.path).toBe("contracts/orders.odcs.yaml");
    expect(edit?.after.startsWith("# Data contract for the orders fact table")).toBe(true);
    expect(edit?.after).toContain("version: 1.3.0\n");
  });
});
