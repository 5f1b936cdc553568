import { describe, expect, it } from "vitest";
import { analyzeImpact } from "../../../src/core/impact/analyze-impact.js";
import { ImpactReportSchema } from "../../../src/core/impact/impact-report.js";
import { exampleScenario } from "./example-scenarios.js";

const SQL = "models/marts/dim_customers.sql";
const YAML = "models/marts/_schema.yml";

function impactOf(edits: Record<string, (text: string) => string>, widening?: "non-breaking") {
  const s = exampleScenario("non-breaking");
  const config = widening ? { ...s.config, contracts: { ...s.config.contracts, widening } } : s.config;
  const head = new Map(s.base);
  for (const [path, edit] of Object.entries(edits)) head.set(path, edit(s.base.get(path) ?? ""));
  return analyzeImpact({
    base: { files: s.base },
    head: { files: head },
    config,
    changedFiles: Object.keys(edits),
  }).report;
}

describe("contract changes in the impact report", () => {
  it("a contract column renamed together with the SQL alias is a rename (the SQL is the evidence)", () => {
    const report = impactOf({
      [SQL]: (t) => t.replace("customers.email,", "customers.email as email_address,"),
      [YAML]: (t) => t.replace("      - name: email\n", "      - name: email_address\n"),
    });
    const change = report.contractChanges.find(
      (c) => c.contractId === "dim_customers" && c.kind.startsWith("column_"),
    );
    expect(change).toMatchObject({
      kind: "column_renamed",
      before: "email",
      after: "email_address",
      class: "breaking",
      mustAct: "consumers",
    });
    // The report stays valid against its published (strict) schema.
    expect(ImpactReportSchema.parse(report)).toEqual(report);
    expect(
      report.contractChanges.some((c) => c.kind === "column_added" && c.column === "email_address"),
    ).toBe(false);
  });

  it("a contract column swapped for an unrelated one stays a removal plus an addition", () => {
    const report = impactOf({
      [SQL]: (t) => t.replace("customers.email,", "'eu' as region,"),
      [YAML]: (t) => t.replace("      - name: email\n", "      - name: region\n"),
    });
    const kinds = report.contractChanges
      .filter((c) => c.contractId === "dim_customers" && c.kind.startsWith("column_"))
      .map((c) => [c.kind, c.column]);
    expect(kinds).toEqual([
      ["column_removed", "email"],
      ["column_added", "region"],
    ]);
  });

  it("reports a contract bound to no model in the check run's diagnostics, with a did-you-mean", () => {
    const odcs = `apiVersion: v3.1.0
kind: DataContract
id: orders-typo
version: 1.0.0
status: active
schema:
  - name: stg_order
    properties:
      - name: order_id
`;
    const s = exampleScenario("non-breaking");
    const files = new Map([...s.base, ["contracts/typo.odcs.yaml", odcs]]);
    const stg = "models/staging/stg_orders.sql";
    const head = new Map([
      ...files,
      [stg, (files.get(stg) ?? "").replace("user_id as customer_id", "user_id as cust_id")],
    ]);
    const { report } = analyzeImpact({
      base: { files },
      head: { files: head },
      config: s.config,
      changedFiles: [stg],
    });
    const unbound = report.diagnostics.filter((d) => d.file === "contracts/typo.odcs.yaml");
    expect(unbound).toHaveLength(1);
    expect(unbound[0]?.message).toContain('did you mean "stg_orders"?');
  });

  it("a contract file that no longer loads is reported as a removed contract with the load error beside it", () => {
    const report = impactOf({
      [YAML]: (t) =>
        t
          .replace(
            "        data_type: text\n        constraints:",
            "        data_type: text\n        data_tests: [not_null]\n        constraints:",
          )
          .replace(
            "description: One row per customer",
            "description: One row per customer\n    description: twice",
          ),
    });
    expect(report.contractChanges.find((c) => c.contractId === "dim_customers")).toMatchObject({
      kind: "dataset_removed",
      class: "breaking",
    });
    expect(report.diagnostics.filter((d) => d.file === YAML && d.severity === "error")).not.toEqual([]);
  });

  it("widening a contracted type is breaking unless the repository opts in", () => {
    const edit = { [YAML]: (t: string) => t.replace("data_type: integer", "data_type: bigint") };
    const widened = impactOf(edit).contractChanges.find((c) => c.kind === "type_widened");
    expect(widened).toMatchObject({ class: "breaking", mustAct: "consumers" });
    const optedIn = impactOf(edit, "non-breaking");
    expect(optedIn.contractChanges.find((c) => c.kind === "type_widened")).toMatchObject({
      class: "non-breaking",
    });
    expect(optedIn.contractChanges.filter((c) => c.class !== "non-breaking")).toEqual([]);
  });
});
