import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { ImpactReportSchema } from "../../src/core/impact/impact-report.js";

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
  let out = "";
  let err = "";
  const code = await runCli(["impact", ...argv], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    cwd: repo,
    env: {},
  });
  return { code, out, err };
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
