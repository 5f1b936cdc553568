import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { CONFIG_PATH } from "../../../src/core/config/schema.js";
import { type AnalyzedImpact, analyzeImpact } from "../../../src/core/impact/analyze-impact.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** Every file under `dir`, keyed by POSIX relative path. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(relative(dir, full).split(sep).join("/"), readFileSync(full, "utf8"));
    }
  };
  walk(dir);
  return files;
}

/** The example shop as base and the shop with examples/changes/<scenario> overlaid as head. */
export function exampleScenario(scenario: "breaking" | "non-breaking") {
  const base = readTree(join(EXAMPLES, "shop"));
  const overlay = readTree(join(EXAMPLES, "changes", scenario));
  const head = new Map([...base, ...overlay]);
  return { base, head, changed: [...overlay.keys()], config: parseConfig(head.get(CONFIG_PATH)) };
}

/** The impact analysis of one example scenario, as the demo and the check run compute it. */
export function analyzeScenario(
  scenario: "breaking" | "non-breaking",
): AnalyzedImpact & ReturnType<typeof exampleScenario> {
  const s = exampleScenario(scenario);
  return {
    ...s,
    ...analyzeImpact({
      base: { files: s.base },
      head: { files: s.head },
      config: s.config,
      changedFiles: s.changed,
    }),
  };
}
