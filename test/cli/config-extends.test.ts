import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIO as capture } from "./capture-io.js";

const WARNING =
  ".github/backflow.yml: `_extends: acme/.github` is not resolved locally; using this file alone (the Backflow app merges it with its base on GitHub)";

/** A checkout whose config extends the organisation's and sets its own dialect (BigQuery backticks parse only in it). */
const dir = mkdtempSync(join(tmpdir(), "backflow-extends-"));
mkdirSync(join(dir, "models"), { recursive: true });
mkdirSync(join(dir, ".github"), { recursive: true });
writeFileSync(join(dir, ".github", "backflow.yml"), "_extends: acme/.github\ndialect: bigquery\n");
writeFileSync(join(dir, "models", "stg.sql"), "select id, name from `proj.raw.users`\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a local config with _extends", () => {
  it("lineage warns that the base is not read and uses the file alone", async () => {
    const io = capture(dir);
    expect(await runCli(["lineage", "--json"], io)).toBe(0);
    expect(io.stderr()).toContain(`backflow lineage: ${WARNING}`);
    expect(JSON.parse(io.stdout()).tables.map((t: { id: string }) => t.id)).toContain("stg");
  });

  it("impact warns the same and still analyses the change", async () => {
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
        stdio: "pipe",
      });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "base");
    writeFileSync(join(dir, "models", "stg.sql"), "select id from `proj.raw.users`\n");
    const io = capture(dir);
    const code = await runCli(["impact", "--base", "main"], io);
    expect(code).not.toBe(2);
    expect(io.stderr()).toContain(`backflow impact: ${WARNING}`);
    expect(io.stdout()).toContain("stg");
  });

  it("warns about a malformed _extends as well: the CLI never follows it", async () => {
    const other = mkdtempSync(join(tmpdir(), "backflow-extends-bad-"));
    try {
      mkdirSync(join(other, ".github"), { recursive: true });
      writeFileSync(join(other, ".github", "backflow.yml"), "_extends: [a, b]\n");
      const io = capture(other);
      expect(await runCli(["lineage"], io)).toBe(0);
      expect(io.stderr()).toContain('`_extends: ["a","b"]` is not resolved locally');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
