/**
 * Writes the JSON Schemas of Backflow's public formats from their zod schemas, so a shape is written once.
 * `tsx scripts/generate-contracts.ts` writes them; `--check` exits 1 when a committed file is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ConfigFileSchema } from "../src/core/config/config-file-schema.js";
import { ImpactReportSchema } from "../src/core/impact/impact-report.js";
import { LineageGraphSchema } from "../src/core/lineage/schema.js";
import { CanonicalInputSchema } from "../src/core/signals/adapters/canonical.js";

export type ContractSchema = {
  readonly file: string;
  readonly schema: z.ZodType;
  readonly io: "input" | "output";
};

/** Every generated schema; add a format with one line. */
export const CONTRACT_SCHEMAS: readonly ContractSchema[] = [
  // The config file as a user writes it: defaults make most keys optional; `_extends` names a base.
  { file: "config.schema.json", schema: ConfigFileSchema, io: "input" },
  { file: "lineage.schema.json", schema: LineageGraphSchema, io: "output" },
  { file: "signal.schema.json", schema: CanonicalInputSchema, io: "input" },
  { file: "impact.schema.json", schema: ImpactReportSchema, io: "output" },
];

export const CONTRACTS_DIR = fileURLToPath(new URL("../contracts/", import.meta.url));

/** The file text a schema should have: stable JSON with a trailing newline. */
export function renderContract(contract: ContractSchema): string {
  return `${JSON.stringify(z.toJSONSchema(contract.schema, { io: contract.io }), null, 2)}\n`;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function main(argv: readonly string[]): number {
  const check = argv.includes("--check");
  const stale: string[] = [];
  for (const contract of CONTRACT_SCHEMAS) {
    const path = join(CONTRACTS_DIR, contract.file);
    const text = renderContract(contract);
    if (readOrEmpty(path) === text) continue;
    stale.push(contract.file);
    if (!check) writeFileSync(path, text);
  }
  if (check && stale.length > 0) {
    process.stderr.write(`stale: ${stale.join(", ")}; run \`npm run contracts\` and commit the result\n`);
    return 1;
  }
  process.stdout.write(check ? "contracts are current\n" : `wrote ${stale.length} schema(s)\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main(process.argv.slice(2));
