import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { triageLocal } from "../../src/cli/commands/triage.js";

// Issue #17: "A suffix match must not contradict any qualifier the name carries (schema, database, dbt package)".
const dir = mkdtempSync(join(tmpdir(), "backflow-dbt-package-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function repo(name: string, projectYml: string | undefined): string {
  const root = join(dir, name);
  mkdirSync(join(root, "models"), { recursive: true });
  if (projectYml !== undefined) writeFileSync(join(root, "dbt_project.yml"), projectYml);
  writeFileSync(join(root, "models", "orders.sql"), "select id, customer_id from raw.orders\n");
  return root;
}

const signal = (dbtUniqueId: string) => ({
  id: `s-${dbtUniqueId}`,
  source: { kind: "backflow" },
  observedAt: "2026-11-25T06:00:00Z",
  type: "metric_breach",
  status: "firing",
  severity: "error",
  dataset: { name: "orders", dbtUniqueId },
  column: "customer_id",
  measurement: {
    metric: "completeness",
    kind: "completeness",
    value: 0.5,
    threshold: { mustBeGreaterOrEqualTo: 0.99 },
  },
  message: "nulls",
});

const triage = (repoDir: string, dbtUniqueId: string) => {
  const [result] = triageLocal({ repoDir, body: signal(dbtUniqueId), now: new Date("2026-11-25T07:00:00Z") });
  if (!result) throw new Error("no finding");
  return result.finding;
};

describe("backflow triage and a signal's dbt package", () => {
  const shop = repo("shop", "name: shop\nversion: '1.0'\nmodel-paths: ['models']\n");

  it("leaves another package's model unmatched, naming the package and the repository's project", () => {
    const finding = triage(shop, "model.other_pkg.orders");
    expect(finding.match).toBe("unmatched");
    expect(finding.decision).toBe("unmatched");
    expect(finding.tableId).toBeUndefined();
    expect(finding.candidates).toEqual(["orders"]);
    expect(finding.reason).toContain('dbt package "other_pkg"');
    expect(finding.reason).toContain('"shop"');
  });

  it("matches the repository's own project's model", () => {
    const finding = triage(shop, "model.shop.orders");
    expect(finding).toMatchObject({ match: "dbt-id", tableId: "orders" });
  });

  it("keeps matching by name in a plain SQL repository without a dbt project", () => {
    const finding = triage(repo("plain", undefined), "model.other_pkg.orders");
    expect(finding).toMatchObject({ match: "dbt-id", tableId: "orders" });
  });
});
