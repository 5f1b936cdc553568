import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exampleRepoDir } from "../../src/cli/example-repo.js";
import { runCli } from "../../src/cli/run-cli.js";
import { finding } from "../core/proposals/fixtures.js";
import { captureIO as capture } from "./capture-io.js";

const SIGNAL = join(exampleRepoDir(), "..", "signals", "fct_orders-customer_id-completeness.json");
const work = mkdtempSync(join(tmpdir(), "backflow-propose-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("backflow propose", () => {
  it("triages a signal file and prints the cleansing rule as a unified diff", async () => {
    const io = capture(work);
    const code = await runCli(["propose", SIGNAL], io);
    expect(code).toBe(0);
    expect(io.stdout()).toContain("--- a/models/marts/fct_orders.sql\n+++ b/models/marts/fct_orders.sql\n");
    expect(io.stdout()).toContain("+where customer_id is not null\n");
    expect(io.stdout()).toContain("  - metric: completeness(fct_orders.customer_id) >= 0.99 within 3d\n");
  });

  it("reads a finding file and proposes the contract change with --kind contract", async () => {
    const file = join(work, "finding.json");
    writeFileSync(file, JSON.stringify(finding({ tableId: "fct_orders", column: "status" })));
    const io = capture(work);
    expect(await runCli(["propose", file, "--kind", "contract"], io)).toBe(0);
    expect(io.stdout()).toContain("--- a/contracts/orders.odcs.yaml");
    expect(io.stdout()).toContain("-version: 1.2.0\n+version: 1.3.0\n");
  });

  it("applies the edit to the working tree with --apply", async () => {
    const repo = join(work, "shop");
    cpSync(exampleRepoDir(), repo, { recursive: true });
    const io = capture(work);
    expect(await runCli(["propose", SIGNAL, "--repo", repo, "--apply"], io)).toBe(0);
    expect(readFileSync(join(repo, "models/marts/fct_orders.sql"), "utf8")).toContain(
      "select * from backflow_unfiltered\nwhere customer_id is not null",
    );
    expect(io.stdout()).toContain("applied to models/marts/fct_orders.sql");
  });

  it("refuses an unknown kind as a usage error", async () => {
    const io = capture(work);
    expect(await runCli(["propose", SIGNAL, "--kind", "rewrite"], io)).toBe(2);
    expect(io.stderr()).toContain("--kind must be cleansing or contract");
  });
});
