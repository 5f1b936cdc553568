import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Contract } from "../../../src/core/contracts/contract.js";
import { loadFile } from "../../../src/core/contracts/load-contracts.js";

export const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** Reads a directory into RepoFiles (POSIX paths relative to it). */
export function readRepo(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path).split("\\").join("/"), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

/** Loads one contract from YAML text, failing the test when it does not load cleanly. */
export function contractFrom(text: string, file = "contracts/test.odcs.yaml"): Contract {
  const { contracts, diagnostics } = loadFile(file, text);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || contracts.length !== 1 || !contracts[0]) {
    throw new Error(`fixture did not load: ${JSON.stringify(diagnostics)}`);
  }
  const contract = contracts[0];
  return {
    ...contract,
    datasets: contract.datasets.map((d) => ({ ...d, tableId: d.bindingHint ?? d.physicalName ?? d.name })),
  };
}

/** An ODCS contract with one dataset `orders` and the given property/SLA blocks (YAML, 6-space indented). */
export function odcs(opts: { version?: string; properties: string; quality?: string; sla?: string }): string {
  return `apiVersion: v3.1.0
kind: DataContract
id: orders
version: ${opts.version ?? "1.0.0"}
status: active
schema:
  - name: orders
    physicalName: fct_orders
${opts.quality ? `    quality:\n${opts.quality}\n` : ""}    properties:
${opts.properties}
${opts.sla ? `slaProperties:\n${opts.sla}\n` : ""}team:
  - username: "@owner"
    role: owner
`;
}

/** A dbt properties file with one enforced model `fct_orders` and the given column blocks. */
export function dbt(columns: string): string {
  return `version: 2
models:
  - name: fct_orders
    config:
      contract:
        enforced: true
    columns:
${columns}
`;
}
