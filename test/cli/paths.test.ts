import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { runCli } from "../../src/cli/run-cli.js";
import { ImpactReportSchema } from "../../src/core/impact/impact-report.js";
import { LineageGraphSchema } from "../../src/core/lineage/schema.js";
import { captureIO } from "./capture-io.js";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
const SIGNAL = join(EXAMPLES, "signals", "fct_orders-customer_id-completeness.json");

let root: string;
/** The example shop as a Git repository with a `breaking` branch. */
let repo: string;
/** A working directory unrelated to the repository, where every command is run from. */
let elsewhere: string;

function git(...args: string[]): void {
  execFileSync("git", ["-C", repo, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    stdio: "pipe",
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "backflow-paths-"));
  repo = join(root, "pipelines", "shop");
  elsewhere = join(root, "somewhere", "else");
  mkdirSync(elsewhere, { recursive: true });
  cpSync(join(EXAMPLES, "shop"), repo, { recursive: true });
  cpSync(SIGNAL, join(root, "signal.json"));
  writeFileSync(
    join(root, "body.md"),
    "```expects\n- metric: completeness(fct_orders.customer_id) >= 0.99 within 3d\n```\n",
  );
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "shop");
  git("checkout", "-q", "-b", "breaking");
  cpSync(join(EXAMPLES, "changes", "breaking"), repo, { recursive: true });
  git("commit", "-qam", "breaking");
  git("checkout", "-q", "main");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[]) {
  const io = captureIO(elsewhere);
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** The same file or directory named absolutely and relative to `elsewhere`. */
const both = (path: () => string) =>
  [
    ["an absolute path", () => path()],
    ["a relative path", () => relative(elsewhere, path())],
  ] as const;

describe("every command takes absolute and relative paths from any working directory", () => {
  it.each(both(() => repo))("lineage with %s", async (_, dir) => {
    const { code, out } = await run(["lineage", dir(), "--json"]);
    expect(code).toBe(0);
    expect(LineageGraphSchema.parse(JSON.parse(out)).tables.map((t) => t.id)).toContain("fct_orders");
  });

  it.each(both(() => repo))("impact --repo with %s", async (_, dir) => {
    const { code, out } = await run([
      "impact",
      "--repo",
      dir(),
      "--base",
      "main",
      "--head",
      "breaking",
      "--format",
      "json",
    ]);
    expect(code).toBe(1);
    expect(ImpactReportSchema.parse(JSON.parse(out)).verdict).toBe("breaking");
  });

  it.each(both(() => join(root, "body.md")))("expect check with %s", async (_, body) => {
    const rel = relative(elsewhere, repo);
    const { code, out } = await run(["expect", "check", body(), "--repo", rel]);
    expect(code).toBe(0);
    expect(out).toContain("1 expectation(s) valid, 0 problem(s)");
  });

  it.each(both(() => join(root, "signal.json")))("triage with %s", async (_, signal) => {
    const { code, out } = await run(["triage", signal(), "--repo", relative(elsewhere, repo), "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(out).results[0].finding.tableId).toBe("fct_orders");
  });

  it.each(both(() => join(root, "signal.json")))("propose with %s", async (_, signal) => {
    const { code, out } = await run(["propose", signal(), "--repo", repo]);
    expect(code).toBe(0);
    expect(out).toContain("--- a/");
  });

  it.each(both(() => repo))("annotate --dir with %s", async (_, dir) => {
    const argv = ["annotate", "fct_orders", "seasonality", "2026-12-01..2026-12-31", "holiday", "peak"];
    const { code } = await run([...argv, "--dir", dir()]);
    expect(code).toBe(0);
    expect(readFileSync(join(repo, ".backflow", "annotations.yml"), "utf8")).toContain("holiday peak");
  });

  it.each(both(() => join(root, "notes", "annotations.yml")))("annotate --file with %s", async (_, file) => {
    const argv = ["annotate", "fct_orders", "event", "2026-11-27..2026-11-28", "black", "friday"];
    const { code } = await run([...argv, "--dir", repo, "--file", file()]);
    expect(code).toBe(0);
    expect(readFileSync(join(root, "notes", "annotations.yml"), "utf8")).toContain("black friday");
  });

  it.each(both(() => repo))("demo --repo with %s", async (_, dir) => {
    const { code, out } = await run(["demo", "--repo", dir()]);
    expect(code).toBe(0);
    expect(out).toContain(`Backflow demo on ${repo}`);
  });

  it.each(both(() => join(root, "db", "prune.db")))("prune --database with %s", async (_, db) => {
    mkdirSync(join(root, "db"), { recursive: true });
    const { code, out } = await run(["prune", "--database", db()]);
    expect(code).toBe(0);
    expect(out).toMatch(/^removed 0 signals/);
    expect(existsSync(join(root, "db", "prune.db"))).toBe(true);
  });

  it.each(both(() => join(root, "db", "migrate.db")))("migrate --database with %s", async (_, db) => {
    mkdirSync(join(root, "db"), { recursive: true });
    const { code, out } = await run(["migrate", "--database", db()]);
    expect(code).toBe(0);
    expect(out).toMatch(/^SQLite database .*migrate\.db: schema version \d+/);
    expect(existsSync(join(root, "db", "migrate.db"))).toBe(true);
  });

  it.each(both(() => join(root, "db", "jobs.db")))("jobs --database with %s", async (_, db) => {
    mkdirSync(join(root, "db"), { recursive: true });
    const { code } = await run(["jobs", "--database", db(), "--json"]);
    expect(code).toBe(0);
    expect(existsSync(join(root, "db", "jobs.db"))).toBe(true);
  });

  it.each(both(() => join(root, "db", "review.db")))("review --database with %s", async (_, db) => {
    mkdirSync(join(root, "db"), { recursive: true });
    // review reads an existing store (it refuses to invent an empty one); `jobs` creates it here.
    expect((await run(["jobs", "--database", db(), "--json"])).code).toBe(0);
    const { code, err } = await run(["review", "--database", db(), "--github", "acme/shop"]);
    expect(err).not.toContain("cannot open");
    expect(code).toBe(0);
  });

  it("says which directory does not exist, absolutely", async () => {
    const { code, err } = await run(["lineage", "no/such/dir"]);
    expect(code).toBe(2);
    expect(err).toContain(`${join(elsewhere, "no/such/dir")} is not a directory`);
  });

  it("covers every command", () => {
    expect(COMMANDS.map((c) => c.name)).toEqual([
      "annotate",
      "demo",
      "expect",
      "impact",
      "jobs",
      "lineage",
      "migrate",
      "propose",
      "prune",
      "review",
      "triage",
    ]);
  });
});
