import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, stdio: "pipe", encoding: "utf8", timeout: 400_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

/**
 * The runtime dependency tree (no dev dependencies) copied from this checkout's node_modules, so the
 * tarball installs with `--offline`: npm's cache here holds no registry metadata, and this test must
 * not use the network. Install scripts are skipped (better-sqlite3 would download a binary); the
 * commands that need no database never load it.
 */
function seedRuntimeDependencies(app: string): void {
  const paths = run("npm", ["ls", "--omit=dev", "--all", "--parseable"], REPO).trim().split("\n").slice(1);
  for (const path of paths) {
    const target = join(app, relative(REPO, path));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(path, target, { recursive: true });
  }
}

describe("the npm package", () => {
  it("packs, installs from the tarball into an empty directory without dev dependencies, and its bin runs backflow lineage", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    expect(pkg.private).toBeUndefined();
    expect(pkg.engines.node).toMatch(/^>=20/);
    const packed = temp("backflow-pack-");
    const tarball = join(packed, run("npm", ["pack", "--silent", "--pack-destination", packed], REPO).trim());
    const listed = run("tar", ["tzf", tarball], packed).split("\n");
    expect(listed).toContain("package/dist/cli/main.js");
    expect(listed).toContain("package/examples/shop/dbt_project.yml");
    expect(listed.filter((f) => f.startsWith("package/src/") || f.endsWith(".map"))).toEqual([]);

    const app = temp("backflow-install-");
    writeFileSync(join(app, "package.json"), '{ "name": "empty", "private": true }\n');
    seedRuntimeDependencies(app);
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], app);

    const elsewhere = temp("backflow-cwd-");
    const bin = join(app, "node_modules", ".bin", "backflow");
    const shop = join(app, "node_modules", "backflow", "examples", "shop");
    expect(run(bin, ["--version"], elsewhere).trim()).toBe(pkg.version);
    const lineage = run(bin, ["lineage", shop], elsewhere);
    expect(lineage).toContain("fct_orders (model) models/marts/fct_orders.sql");
    expect(run(bin, ["lineage", relative(elsewhere, shop), "--json"], elsewhere)).toContain('"fct_orders"');
    // npx finds the installed bin, as `npx backflow impact …` does in a project that depends on it.
    expect(run("npx", ["--offline", "--no-install", "backflow", "impact", "--help"], app)).toContain(
      "usage: backflow impact --base <ref>",
    );
  }, 600_000);
});
