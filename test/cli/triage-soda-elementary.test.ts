import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { REPO_ROOT } from "../store/temp-db.js";
import { captureIO } from "./capture-io.js";

const capture = () => captureIO(REPO_ROOT);

type Report = {
  results: Array<{
    finding: {
      decision: string;
      tableId?: string;
      column?: string;
      kind: string;
      severity: string;
      match: string;
    };
  }>;
};

async function triage(file: string): Promise<{ code: number; report: Report }> {
  const io = capture();
  const code = await runCli(["triage", file, "--json"], io);
  return { code, report: JSON.parse(io.stdout()) as Report };
}

describe("backflow triage on Soda and Elementary examples", () => {
  it("triages every evaluated Soda check against the example shop's tables", async () => {
    const { code, report } = await triage("examples/signals/soda-scan-shop_daily.json");
    expect(code).toBe(1);
    const findings = report.results.map((r) => r.finding);
    expect(findings.map((f) => [f.tableId, f.column, f.kind, f.severity])).toEqual([
      ["fct_orders", "customer_id", "completeness", "error"],
      ["dim_customers", "email", "completeness", "warning"],
      ["fct_orders", undefined, "volume", "info"],
      ["fct_orders", undefined, "freshness", "error"],
      ["dim_customers", undefined, "custom", "error"],
    ]);
    expect(findings[0]?.decision).toBe("open");
    expect(findings.every((f) => f.match === "exact")).toBe(true);
  });

  it("matches Elementary alerts to the example shop's models by their dbt ids", async () => {
    const { code, report } = await triage("examples/signals/elementary-alerts-fct_orders.json");
    expect(code).toBe(1);
    const findings = report.results.map((r) => r.finding);
    expect(findings.map((f) => [f.tableId, f.column, f.kind, f.match])).toEqual([
      ["fct_orders", "customer_id", "completeness", "dbt-id"],
      ["fct_orders", undefined, "volume", "dbt-id"],
      ["dim_customers", "lifetime_value", "custom", "dbt-id"],
    ]);
    expect(findings[0]?.decision).toBe("open");
  });
});
