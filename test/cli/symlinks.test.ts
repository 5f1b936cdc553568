import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCapped } from "../../src/cli/read-local-repo.js";
import { runCli } from "../../src/cli/run-cli.js";
import { ImpactReportSchema } from "../../src/core/impact/impact-report.js";
import { LineageGraphSchema } from "../../src/core/lineage/schema.js";
import { captureIO } from "./capture-io.js";

let root: string;
let repo: string;

function git(...args: string[]): void {
  execFileSync("git", ["-C", repo, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    stdio: "pipe",
  });
}

/**
 * A repository whose models include a link out of it (to SQL that parses cleanly, and to
 * /etc/passwd), a link to a model inside it, and a model over the 2 MiB cap.
 */
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "backflow-links-"));
  repo = join(root, "repo");
  mkdirSync(join(repo, "models", "shared"), { recursive: true });
  mkdirSync(join(repo, ".github"), { recursive: true });
  writeFileSync(
    join(repo, ".github", "backflow.yml"),
    "dialect: postgres\nmodels:\n  paths: ['models/**/*.sql']\n",
  );
  writeFileSync(join(root, "outside.sql"), "select secret_column from secret_schema.secret_table");
  writeFileSync(join(repo, "models", "stg.sql"), "select id, name from raw.users");
  writeFileSync(join(repo, "models", "shared", "real.sql"), "select id from stg");
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "base");
  symlinkSync(join(root, "outside.sql"), join(repo, "models", "outside.sql"));
  symlinkSync("/etc/passwd", join(repo, "models", "passwd.sql"));
  symlinkSync("shared/real.sql", join(repo, "models", "inside.sql"));
  writeFileSync(join(repo, "models", "huge.sql"), `select 1 as x -- ${"x".repeat(2 * 1024 * 1024)}`);
  git("add", "-A");
  git("commit", "-qm", "links");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[]) {
  const io = captureIO(root);
  return { code: await runCli(argv, io), out: io.stdout, err: io.stderr };
}

describe("CLI readers never leave the repository", () => {
  it("lineage skips links out of the repository and files over 2 MiB, says so, and follows links inside it", async () => {
    const r = await run(["lineage", "repo", "--json"]);
    expect(r.code).toBe(0);
    const graph = LineageGraphSchema.parse(JSON.parse(r.out()));
    const ids = graph.tables.map((t) => t.id);
    expect(ids).not.toContain("secret_schema.secret_table");
    expect(ids).not.toContain("passwd");
    expect(ids).toContain("inside");
    expect(r.err()).toContain("skipped models/passwd.sql: a link to /etc/passwd, outside the repository");
    expect(r.err()).toContain("skipped models/outside.sql: a link to");
    expect(r.err()).toContain("skipped models/huge.sql: larger than 2 MiB");
  });

  it("impact on the working tree skips the same links, with a warning", async () => {
    const r = await run(["impact", "--repo", "repo", "--base", "HEAD~1", "--format", "json"]);
    const report = ImpactReportSchema.parse(JSON.parse(r.out()));
    expect(JSON.stringify(report)).not.toContain("secret");
    expect(JSON.stringify(report)).not.toContain("root:");
    expect(r.err()).toContain("skipped models/passwd.sql: a link to /etc/passwd, outside the repository");
  });

  it("impact between commits reads a committed link inside the tree as its target and skips one out of it", async () => {
    const r = await run([
      "impact",
      "--repo",
      "repo",
      "--base",
      "HEAD~1",
      "--head",
      "HEAD",
      "--format",
      "json",
    ]);
    const report = ImpactReportSchema.parse(JSON.parse(r.out()));
    expect(JSON.stringify(report)).not.toContain("secret_column");
    expect(r.err()).toContain("skipped models/passwd.sql: a link to /etc/passwd, outside the repository");
    expect(r.err()).toContain("skipped models/huge.sql: larger than 2 MiB");
    expect(report.changes.some((c) => c.file === "models/inside.sql")).toBe(true);
  });

  it("lineage never reads a config linked out of the repository", async () => {
    const dir = join(root, "linked-config");
    mkdirSync(join(dir, ".github"), { recursive: true });
    mkdirSync(join(dir, "models"), { recursive: true });
    writeFileSync(join(root, "evil.yml"), "dialect: not-a-dialect\n");
    symlinkSync(join(root, "evil.yml"), join(dir, ".github", "backflow.yml"));
    writeFileSync(join(dir, "models", "m.sql"), "select 1 as x");
    const r = await run(["lineage", dir]);
    expect(r.code).toBe(0);
    expect(r.err()).toContain("skipped .github/backflow.yml: a link to");
  });

  it("reads files whose size the file system reports as 0 (/proc) up to the cap", () => {
    expect(statSync("/proc/self/status").size).toBe(0);
    const read = readCapped("/proc/self/status");
    expect("text" in read && read.text).toMatch(/^Name:/);
  });
});
