import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { ReviewReportSchema } from "../../src/core/review/review-report.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { FP, simulateQuarter } from "../core/review/simulate-quarter.js";
import { readGolden } from "../golden/golden-file.js";
import { captureIO } from "./capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "backflow-review-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = (cwd = dir) => captureIO(cwd);

beforeAll(async () => {
  const store = openSqliteStore(join(dir, "quarter.db"));
  const { points } = await simulateQuarter(store);
  expect(points).toBe(3 * 360);
  await store.close();
});

const QUARTER = ["review", "--since", "90d", "--at", "2026-04-01T00:00:00Z", "--database", "quarter.db"];

async function reports() {
  const io = capture();
  expect(await runCli([...QUARTER, "--format", "json"], io)).toBe(0);
  return ReviewReportSchema.array().parse(JSON.parse(io.stdout()));
}

describe("backflow review over a simulated quarter", () => {
  it("prints three monthly reviews with the figures the store records", async () => {
    const [jan, feb, mar] = await reports();
    expect([jan?.period.key, feb?.period.key, mar?.period.key]).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(jan?.findings).toMatchObject({ opened: 2, reopened: 0, resolved: 1, stillOpen: 1 });
    expect(jan?.timeToDetect).toEqual({ count: 1, medianHours: 30, p90Hours: 30, unknown: 1 });
    expect(jan?.timeToResolve).toEqual({ count: 1, medianHours: 48, p90Hours: 48 });
    expect(jan?.expectations).toMatchObject({ violated: 1, met: 0 });
    expect(jan?.reverts).toEqual({ opened: 1, merged: 1, prs: [{ pr: 10, revertPr: 11, merged: true }] });
    expect(jan?.findingsPerWeek.map((w) => w.count)).toEqual([0, 1, 0, 1, 0]);

    expect(feb?.findings).toMatchObject({ opened: 0, reopened: 1, resolved: 2, stillOpen: 0 });
    expect(feb?.timeToResolve).toEqual({ count: 2, medianHours: 181.5, p90Hours: 338.9 });
    expect(feb?.criedWolf).toEqual([
      expect.objectContaining({
        fingerprint: FP.email,
        issue: 102,
        closedBy: "alice",
        old: "minimum 0.99",
        learned: "minimum 0.927",
      }),
    ]);
    expect(feb?.annotationsUsed).toEqual([
      { id: "ann-promo", uses: 3, kind: "event", dataset: "fct_*", note: "Valentine promo" },
    ]);
    expect(feb?.expectations.met).toBe(1);
    expect(feb?.breakingAcknowledged).toEqual([
      { pr: 12, by: "carol", at: "2026-02-28T10:00:00.000Z", mergedAt: "2026-03-01T00:00:00.000Z" },
    ]);

    expect(mar?.findings).toMatchObject({ opened: 1, resolved: 0, stillOpen: 1 });
    expect(mar?.timeToDetect).toEqual({ count: 1, medianHours: 18, p90Hours: 18, unknown: 0 });
    expect(mar?.expectations.inconclusive).toBe(1);
    expect(mar?.upstream).toEqual([
      { file: "models/marts/fct_orders.sql", tables: ["fct_orders"], findings: 1, owners: null },
    ]);
    // Canaries count in the month their window ends; #15's window runs past March.
    expect(
      [jan, feb, mar].map(
        (r) => r?.canaries && { ...r.canaries, regressions: r.canaries.regressions.map((x) => x.pr) },
      ),
    ).toEqual([
      { clean: 0, regressed: 1, noSignal: 0, watching: 0, regressions: [10] },
      { clean: 1, regressed: 0, noSignal: 1, watching: 0, regressions: [] },
      { clean: 0, regressed: 1, noSignal: 0, watching: 1, regressions: [12] },
    ]);
    for (const r of [jan, feb, mar])
      expect(r?.notRecorded).not.toContain("canary outcomes (the store keeps no canaries yet)");
  });

  it("renders each month as the golden review issue, whose figures and charts are the report's", async () => {
    const io = capture();
    expect(await runCli(QUARTER, io)).toBe(0);
    const issues = io.stdout().split("\n---\n\n");
    expect(issues).toHaveLength(3);
    for (const [i, key] of ["2026-01", "2026-02", "2026-03"].entries()) {
      const golden = readGolden(`review-${key}.md`, issues[i] ?? "");
      expect(issues[i]).toBe(golden);
      expect(golden).toContain(`<!-- backflow:review ${key} -->`);
      expect(golden.match(/```mermaid\nxychart-beta/g)).toHaveLength(2);
      expect(golden).toContain("### What changed since the last review");
    }
    const [jan, feb, mar] = issues;
    expect(jan).toContain("| 2 | 0 | 1 | 1 | median 30 h, p90 30 h (1) | median 2 d, p90 2 d (1) |");
    expect(jan).toContain('x-axis ["2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05"]');
    expect(jan).toContain("bar [0, 1, 0, 1, 0]");
    expect(jan).toContain("New drift issues: #101, #102.");
    expect(jan).toContain("| 0 | 1 | 0 | 0 | 1 | 1 | 0 clean, 1 regressed, 0 no signal |");
    expect(jan).toContain("- #10: `fct_orders.revenue` `revenue_sum` −40% since this merge");
    expect(feb).toContain("| 1 clean, 0 regressed, 1 no signal |");
    expect(mar).toContain("| 0 clean, 1 regressed, 0 no signal (1 watching) |");
    expect(feb).toContain("| #102 | `completeness` | `alice` | minimum 0.99 | minimum 0.927 |");
    expect(feb).toContain("| `ann-promo` | event | `fct_*` | 3 | Valentine promo |");
    expect(feb).toContain("Findings opened: 0 (down from 2); still open: 0 (down from 1).");
    expect(feb).toContain("Median time to resolve rose from 48 h to 181.5 h.");
    expect(feb).toContain("| #12 | `carol` | 2026-02-28 10:00 | 2026-03-01 00:00 |");
    expect(mar).toContain("| #103 | `fct_orders row_count` | still-open | – |");
    expect(mar).toContain("| 1 | 0 | 0 | 1 | median 18 h, p90 18 h (1) | no data |");
  });

  it("is idempotent per period: the same period key gives the same issue identity and body", async () => {
    const once = await reports();
    const again = await reports();
    expect(again).toEqual(once);
    const late = capture();
    expect(
      await runCli(
        ["review", "--at", "2026-02-27T23:00:00Z", "--database", "quarter.db", "--format", "json"],
        late,
      ),
    ).toBe(0);
    const [january] = ReviewReportSchema.array().parse(JSON.parse(late.stdout()));
    expect(january?.marker).toBe(once[0]?.marker);
    expect(january?.title).toBe("Backflow monthly review 2026-01");
  });

  it("resolves --database against the working directory and refuses bad options with exit 2", async () => {
    const elsewhere = capture(tmpdir());
    expect(
      await runCli(
        [
          "review",
          "--at",
          "2026-04-01T00:00:00Z",
          "--database",
          join(dir, "quarter.db"),
          "--cadence",
          "quarterly",
          "--format",
          "json",
        ],
        elsewhere,
      ),
    ).toBe(0);
    expect(ReviewReportSchema.array().parse(JSON.parse(elsewhere.stdout()))[0]?.findings.opened).toBe(3);
    for (const [args, message] of [
      [["--format", "html"], "--format must be markdown or json"],
      [["--cadence", "daily"], "--cadence must be weekly, monthly or quarterly"],
      [["--since", "soon"], "--since: soon is not a duration"],
      [["--at", "yesterday"], "--at must be an ISO date-time"],
      [["--github", "not a repo"], "--github must be owner/name"],
      [["--database", "missing.db"], `no database at ${join(dir, "missing.db")}`],
    ] as const) {
      const io = capture();
      expect(await runCli(["review", "--database", "quarter.db", ...args], io)).toBe(2);
      expect(io.stderr()).toContain(message);
    }
  });
});
