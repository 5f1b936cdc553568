import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { REPO_ROOT } from "../store/temp-db.js";
import { captureIO as capture } from "./capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "backflow-triage-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const repo = join(dir, "shop");
cpSync(join(REPO_ROOT, "examples", "shop"), repo, { recursive: true });
const gitIn = (...args: string[]) =>
  execFileSync("git", ["-C", repo, "-c", "user.name=Bob", "-c", "user.email=bob@example.com", ...args], {
    stdio: "pipe",
  });
gitIn("init", "-q");
gitIn("add", ".");
gitIn("commit", "-q", "-m", "Join orders on the new customer key");
const signal = JSON.parse(
  readFileSync(join(REPO_ROOT, "examples/signals/fct_orders-customer_id-completeness.json"), "utf8"),
);

describe("backflow triage output on a local checkout", () => {
  it("without --github and --sha, cites repository-relative path:line and never invents a GitHub link", async () => {
    const io = capture(dir);
    await runCli(
      [
        "triage",
        join(REPO_ROOT, "examples/signals/fct_orders-customer_id-completeness.json"),
        "--repo",
        repo,
      ],
      io,
    );
    const out = io.stdout();
    expect(out).toMatch(/`models\/marts\/fct_orders\.sql:\d+`/);
    expect(out).not.toContain("https://github.com/");
  });

  it("fills 'changed recently' from the local git history of each suspect file", async () => {
    const io = capture(dir);
    await runCli(
      [
        "triage",
        join(REPO_ROOT, "examples/signals/fct_orders-customer_id-completeness.json"),
        "--repo",
        repo,
      ],
      io,
    );
    const out = io.stdout();
    expect(out).toContain("**changed recently**");
    expect(out).toContain("Commits to `models/marts/fct_orders.sql` in the last 14 days:");
    expect(out).toMatch(/- `[0-9a-f]{7}` \d{4}-\d\d-\d\d by Bob: Join orders on the new customer key/);
  });

  it("prints no issue for decision none", async () => {
    const healthy = join(dir, "healthy.json");
    writeFileSync(
      healthy,
      JSON.stringify({
        ...signal,
        id: "ok",
        status: "resolved",
        measurement: { ...signal.measurement, value: 0.999 },
      }),
    );
    const io = capture(dir);
    expect(await runCli(["triage", healthy, "--repo", repo], io)).toBe(0);
    expect(io.stdout()).toContain("decision: none");
    expect(io.stdout()).not.toContain("--- issue:");
  });

  it("strips terminal escape sequences that came in a signal", async () => {
    const hostile = join(dir, "hostile.json");
    writeFileSync(
      hostile,
      JSON.stringify({ ...signal, id: "esc", message: "\u001b]0;pwned\u0007\u001b[2Jcleared the screen" }),
    );
    const io = capture(dir);
    await runCli(["triage", hostile, "--repo", repo], io);
    expect(io.stdout()).toContain("cleared the screen");
    expect(io.stdout()).not.toContain("\u001b");
    expect(io.stdout()).not.toContain("\u0007");
  });
});
