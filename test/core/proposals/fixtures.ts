import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import {
  type BackflowConfig,
  type BackflowConfigInput,
  ConfigSchema,
} from "../../../src/core/config/schema.js";
import { loadContracts } from "../../../src/core/contracts/load-contracts.js";
import { lineageOf } from "../../../src/core/lineage/build-lineage.js";
import type { Finding } from "../../../src/core/triage/triage-signal.js";

/** A breached finding on `tableId.column`; override what a test decides on. */
export function finding(overrides: Partial<Finding> & { tableId: string }): Finding {
  return {
    fingerprint: "0123456789abcdef0123456789abcdef",
    repo: "acme/shop",
    dataset: overrides.tableId,
    match: "exact",
    candidates: [],
    metric: "nullValues",
    kind: "completeness",
    observed: 0.2,
    threshold: { from: "config", max: 0.01 },
    breached: true,
    reason: "null rate 0.2 above max 0.01",
    severity: "error",
    decision: "open",
    comment: true,
    annotations: [],
    suspects: [],
    signalIds: ["s1"],
    observedAt: "2026-01-05T00:00:00Z",
    evaluation: {
      observedAt: "2026-01-05T00:00:00Z",
      metric: "nullValues",
      breached: true,
      expected: false,
      severity: "error",
    },
    ...overrides,
  };
}

export function configFor(input: BackflowConfigInput = {}): BackflowConfig {
  return ConfigSchema.parse(input);
}

/** The bundled example repository, with its config, lineage and contracts. */
export function exampleRepo() {
  const root = join(import.meta.dirname, "../../../examples/shop");
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(root, full).split("\\").join("/"), readFileSync(full, "utf8"));
    }
  };
  walk(root);
  const config = parseConfig(files.get(".github/backflow.yml"));
  const graph = lineageOf(files, config);
  const { contracts } = loadContracts(
    files,
    config,
    graph.tables.map((t) => t.id),
  );
  return { files, config, graph, contracts };
}
