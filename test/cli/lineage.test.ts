import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { LineageGraphSchema } from "../../src/core/lineage/schema.js";
import { captureIO as capture } from "./capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "backflow-lineage-"));
mkdirSync(join(dir, "models"), { recursive: true });
mkdirSync(join(dir, ".github"), { recursive: true });
mkdirSync(join(dir, "node_modules", "x", "models"), { recursive: true });
writeFileSync(
  join(dir, ".github", "backflow.yml"),
  "dialect: postgres\nmodels:\n  paths: ['models/**/*.sql']\n",
);
writeFileSync(join(dir, "models", "stg.sql"), "select id, upper(name) as name from raw.users");
writeFileSync(join(dir, "models", "mart.sql"), "select name as user_name from stg");
writeFileSync(join(dir, "node_modules", "x", "models", "ignored.sql"), "select 1 as x");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("backflow lineage", () => {
  it("prints a readable listing per table", async () => {
    const io = capture(dir);
    expect(await runCli(["lineage"], io)).toBe(0);
    expect(io.stdout()).toContain("mart (model) models/mart.sql:1");
    expect(io.stdout()).toContain("user_name  rename  line 1  <- stg.name");
    expect(io.stdout()).not.toContain("ignored");
  });

  it("prints the graph as JSON that validates against the schema", async () => {
    const io = capture("/");
    expect(await runCli(["lineage", dir, "--json"], io)).toBe(0);
    const graph = LineageGraphSchema.parse(JSON.parse(io.stdout()));
    expect(graph.tables.map((t) => t.id)).toEqual(["mart", "raw.users", "stg"]);
  });

  it("prints upstream and downstream traces of one column", async () => {
    const io = capture(dir);
    expect(await runCli(["lineage", "--column", "stg.name"], io)).toBe(0);
    expect(io.stdout()).toContain(
      "upstream of stg.name:\n  stg.name (expression, models/stg.sql:1) <- raw.users.name",
    );
    expect(io.stdout()).toContain(
      "downstream of stg.name:\n  mart.user_name (rename, models/mart.sql:1) <- stg.name",
    );
  });

  it("prints a mermaid flowchart", async () => {
    const io = capture(dir);
    expect(await runCli(["lineage", "--mermaid"], io)).toBe(0);
    expect(io.stdout().startsWith("flowchart LR\n")).toBe(true);
  });

  it.each([
    [["lineage", "--dialect", "oracle"], "--dialect must be one of"],
    [["lineage", "--json", "--mermaid"], "cannot be combined"],
    [["lineage", "--column", "nodot"], "table.column"],
    [["lineage", "missing-dir"], "is not a directory"],
  ])("exits 2 on usage errors (%j)", async (argv, message) => {
    const io = capture(dir);
    expect(await runCli(argv, io)).toBe(2);
    expect(io.stderr()).toContain(message);
  });
});
