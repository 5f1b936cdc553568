import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { REPO_ROOT } from "../store/temp-db.js";
import { captureIO as capture } from "./capture-io.js";

const EXAMPLE = "examples/signals/fct_orders-customer_id-completeness.json";
const dir = mkdtempSync(join(tmpdir(), "backflow-triage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("backflow triage", () => {
  it("opens a finding for the example signal, prints the issue markdown and exits 1", async () => {
    const io = capture(REPO_ROOT);
    expect(await runCli(["triage", EXAMPLE, "--github", "acme/shop", "--sha", "abc1234def"], io)).toBe(1);
    const out = io.stdout();
    expect(out).toContain("Dry run: a local triage never writes to GitHub");
    expect(out).toContain("decision: open (with a comment)");
    expect(out).toContain("--- issue: Completeness: fct_orders.customer_id 0.93 < 0.99");
    expect(out).toMatch(/<!-- backflow:finding [0-9a-f]{64} -->/);
    expect(out).toContain("https://github.com/acme/shop/blob/abc1234def/models/marts/fct_orders.sql#L");
    expect(out).toContain("https://github.com/acme/shop/blob/abc1234def/models/staging/stg_orders.sql#L");
    expect(out).toContain("One measurement so far: completeness");
  });

  it("stays quiet (exit 0) for a healthy value and reports JSON with --json", async () => {
    const healthy = join(dir, "healthy.json");
    writeFileSync(
      healthy,
      JSON.stringify({
        id: "ok-1",
        source: { kind: "backflow" },
        observedAt: "2026-11-25T06:00:00Z",
        type: "metric_breach",
        status: "resolved",
        severity: "info",
        dataset: { name: "fct_orders" },
        column: "customer_id",
        measurement: { metric: "completeness", kind: "completeness", value: 0.999 },
        message: "fine",
      }),
    );
    const io = capture(dir);
    expect(await runCli(["triage", healthy, "--json"], io)).toBe(0);
    const parsed = JSON.parse(io.stdout()) as {
      dryRun: boolean;
      results: Array<{ finding: { decision: string } }>;
    };
    expect(parsed.dryRun).toBe(true);
    expect(parsed.results.map((r) => r.finding.decision)).toEqual(["none"]);
  });

  it("uses a history file: a warning that repeats an earlier breach opens", async () => {
    const history = join(dir, "history.json");
    writeFileSync(
      history,
      JSON.stringify([
        {
          observedAt: "2026-11-23T06:00:00Z",
          metric: "completeness",
          value: 0.95,
          breached: true,
          severity: "warning",
        },
      ]),
    );
    const signal = join(dir, "warning.json");
    writeFileSync(
      signal,
      JSON.stringify({
        id: "w-2",
        source: { kind: "backflow" },
        observedAt: "2026-11-24T06:00:00Z",
        type: "metric_breach",
        status: "firing",
        severity: "warning",
        dataset: { name: "fct_orders" },
        column: "customer_id",
        measurement: { metric: "completeness", kind: "completeness", value: 0.94 },
        message: "again",
      }),
    );
    const without = capture(dir);
    expect(await runCli(["triage", signal], without)).toBe(0);
    expect(without.stdout()).toContain("decision: none");
    const withHistory = capture(dir);
    expect(await runCli(["triage", signal, "--history", history], withHistory)).toBe(1);
    expect(withHistory.stdout()).toContain("decision: open");
  });

  it("honours the checkout's .backflow/annotations.yml written by backflow annotate", async () => {
    const repo = join(dir, "annotated-shop");
    cpSync(join(REPO_ROOT, "examples", "shop"), repo, { recursive: true });
    const signal = join(REPO_ROOT, EXAMPLE);
    const before = capture(repo);
    expect(await runCli(["triage", signal, "--repo", repo, "--github", "acme/shop"], before)).toBe(1);
    expect(before.stdout()).toContain("decision: open");

    const annotate = capture(repo);
    const args = ["annotate", "fct_orders", "event", "2026-11-20..2026-11-30", "Black Friday test orders"];
    expect(await runCli([...args, "--dir", repo, "--author", "ana"], annotate)).toBe(0);
    const after = capture(repo);
    expect(await runCli(["triage", signal, "--repo", repo, "--github", "acme/shop"], after)).toBe(0);
    expect(after.stdout()).toContain("decision: expected");
    expect(after.stdout()).toContain("expected: event annotation by ana: Black Friday test orders");

    const outside = capture(repo);
    const late = ["annotate", "fct_orders", "event", "2026-12-01..", "later", "--dir", repo];
    rmSync(join(repo, ".backflow"), { recursive: true });
    expect(await runCli(late, capture(repo))).toBe(0);
    expect(await runCli(["triage", signal, "--repo", repo], outside)).toBe(1);
    expect(outside.stdout()).toContain("decision: open");
  });

  it("judges each signal of a file against its own finding's earlier points only", async () => {
    const firing = (id: string, dataset: string, column: string) => ({
      id,
      source: { kind: "backflow" },
      observedAt: "2026-11-25T06:00:00Z",
      type: "metric_breach",
      status: "firing",
      severity: "error",
      dataset: { name: dataset },
      column,
      measurement: { metric: "completeness", kind: "completeness", value: 0.5 },
    });
    const batch = join(dir, "batch.json");
    writeFileSync(
      batch,
      JSON.stringify({
        signals: [
          firing("b-1", "fct_orders", "customer_id"),
          firing("b-2", "dim_customers", "customer_id"),
          { ...firing("b-3", "fct_orders", "customer_id"), observedAt: "2026-11-25T07:00:00Z" },
        ],
      }),
    );
    const io = capture(REPO_ROOT);
    await runCli(["triage", batch, "--json"], io);
    const parsed = JSON.parse(io.stdout()) as {
      results: Array<{ finding: { decision: string; fingerprint: string } }>;
    };
    const [first, second, third] = parsed.results.map((r) => r.finding);
    expect([first?.decision, second?.decision, third?.decision]).toEqual(["open", "open", "update"]);
    expect(third?.fingerprint).toBe(first?.fingerprint);
    expect(second?.fingerprint).not.toBe(first?.fingerprint);
  });

  it("refuses a file that is not a signal with a usage error", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ hello: "world" }));
    const io = capture(dir);
    expect(await runCli(["triage", bad], io)).toBe(2);
    expect(io.stderr()).toMatch(/^backflow triage: /);
    expect(await runCli(["triage"], capture(dir))).toBe(2);
  });
});
