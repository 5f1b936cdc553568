import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { ImpactReportSchema } from "../../src/core/impact/impact-report.js";
import { captureIO } from "./capture-io.js";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
let repo: string;

function git(...args: string[]): void {
  execFileSync("git", ["-C", repo, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    stdio: "pipe",
  });
}

/** A branch per example scenario on top of `main`, which holds the example shop. */
beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "backflow-impact-"));
  cpSync(join(EXAMPLES, "shop"), repo, { recursive: true });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "shop");
  for (const scenario of ["breaking", "non-breaking"]) {
    git("checkout", "-q", "-b", scenario, "main");
    cpSync(join(EXAMPLES, "changes", scenario), repo, { recursive: true });
    git("commit", "-qam", scenario);
  }
  git("checkout", "-q", "main");
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const io = captureIO(repo);
  const code = await runCli(["impact", ...argv], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe("backflow impact", () => {
  it("exits 1 and prints the report for an unacknowledged breaking change", async () => {
    const { code, out } = await run("--base", "main", "--head", "breaking");
    expect(code).toBe(1);
    expect(out).toContain("## Breaking: 5 downstream models and 3 contracts affected");
    expect(out).toContain("stg\\_orders.customer\\_id was renamed to user\\_id");
  });

  it("exits 0 with a schema-valid JSON report for a non-breaking change", async () => {
    const { code, out } = await run(
      "--repo",
      repo,
      "--base",
      "main",
      "--head",
      "non-breaking",
      "--format",
      "json",
    );
    expect(code).toBe(0);
    const report = ImpactReportSchema.parse(JSON.parse(out));
    expect(report.verdict).toBe("non-breaking");
    expect(report.changes.map((c) => c.id)).toEqual(["dim_products.price_tier"]);
  });

  it("reads the working tree when --head is omitted", async () => {
    git("checkout", "-q", "non-breaking");
    writeFileSync(
      join(repo, "models/marts/fct_orders.sql"),
      "select order_id from {{ ref('stg_orders') }}\n",
    );
    try {
      const { code, out } = await run("--base", "main", "--format", "json");
      const report = ImpactReportSchema.parse(JSON.parse(out));
      expect(code).toBe(1);
      expect(
        report.changes.filter((c) => c.table === "fct_orders" && c.kind === "column_removed").length,
      ).toBeGreaterThan(0);
    } finally {
      git("checkout", "-q", "--", ".");
      git("checkout", "-q", "main");
    }
  });

  it.each([
    [["--head", "breaking"], "--base <ref> is required"],
    [["--base", "main", "--format", "xml"], "--format must be markdown or json"],
    [["--base", "no-such-ref"], "git merge-base failed"],
  ])("exits 2 on a usage problem (%j)", async (argv, message) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});

describe("backflow impact on contracts and unreadable SQL", () => {
  /** Runs impact on the working tree of `main` after writing `files` (then restores main). */
  async function onWorkingTree(files: Record<string, string>) {
    for (const [path, text] of Object.entries(files)) writeFileSync(join(repo, path), text);
    try {
      return await run("--base", "main");
    } finally {
      git("checkout", "-q", "--", ".");
      git("clean", "-qfd");
    }
  }

  it("exits 1 when a rename sits next to SQL the parser cannot read (issue 15.4), naming the reason", async () => {
    const path = "models/staging/stg_orders.sql";
    const sql = readFileSync(join(repo, path), "utf8")
      .replace("user_id as customer_id", "user_id as cust_id")
      .replace("select * from renamed", "select * from renamed )))( ;;");
    const { code, out } = await onWorkingTree({ [path]: sql });
    expect(code).toBe(1);
    expect(out).toContain("column\\-level lineage was lost at head");
    expect(out).not.toContain("Verdict: non-breaking");
  });

  it("says who must act on each contract change and reports a contract bound to nothing", async () => {
    const yaml = "models/marts/_schema.yml";
    const odcs = `apiVersion: v3.1.0\nkind: DataContract\nid: typo\nversion: 1.0.0\nstatus: active\nschema:\n  - name: dim_customer\n    properties:\n      - name: customer_id\n`;
    const { out } = await onWorkingTree({
      [yaml]: readFileSync(join(repo, yaml), "utf8").replace("data_type: integer", "data_type: bigint"),
      "contracts/typo.odcs.yaml": odcs,
    });
    expect(out).toContain("| Contract | Change | Class | Who must act | Where |");
    expect(out).toMatch(/type of customer\\_id widened from integer to bigint.*\| breaking \| consumers \|/);
    expect(out).toContain('did you mean "dim\\_customers"?');
  });
});
