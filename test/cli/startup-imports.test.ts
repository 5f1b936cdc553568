import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** The modules `file` imports statically (type-only imports and dynamic import() left out). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/^import\s+(?!type\s)[^;]*?\sfrom\s+"([^"]+)";/gms)) found.push(m[1] ?? "");
  for (const m of text.matchAll(/^import\s+"([^"]+)";/gm)) found.push(m[1] ?? "");
  return found;
}

/** Every module loaded before a command runs: main.ts and what it imports statically, transitively. */
function startupGraph(): { local: string[]; packages: string[] } {
  const local = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    const key = relative(SRC, file);
    if (local.has(key)) return;
    local.add(key);
    for (const spec of staticImports(file)) {
      if (spec.startsWith(".")) visit(join(dirname(file), spec.replace(/\.js$/, ".ts")));
      else packages.add(spec);
    }
  };
  visit(join(SRC, "cli", "main.ts"));
  return { local: [...local].sort(), packages: [...packages].sort() };
}

describe("backflow start-up", () => {
  it("loads no command implementation, parser, zod or store before a command runs", () => {
    const { local, packages } = startupGraph();
    expect(local).toEqual([
      "cli/command.ts",
      "cli/commands/index.ts",
      "cli/database-arg.ts",
      "cli/main.ts",
      "cli/run-cli.ts",
      "core/errors.ts",
    ]);
    expect(packages.every((p) => p.startsWith("node:"))).toBe(true);
  });
});
