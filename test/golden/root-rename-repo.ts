import { parseConfig } from "../../src/core/config/parse-config.js";
import { CONFIG_PATH } from "../../src/core/config/schema.js";
import { type AnalyzedImpact, analyzeImpact } from "../../src/core/impact/analyze-impact.js";

const CONFIG = `dialect: postgres
models:
  paths: ["models/**/*.sql"]
contracts:
  paths: ["contracts/**/*.yaml"]
`;

const pad = (i: number) => String(i).padStart(3, "0");

function contract(i: number): string {
  return `apiVersion: v3.0.2
kind: DataContract
id: mart_${pad(i)}
version: 1.0.0
status: active
schema:
  - name: mart_${pad(i)}
    properties:
      - name: customer_ref
        logicalType: integer
      - name: amount_${i}
        logicalType: number
team:
  - username: "@team-${i % 7}"
    role: owner
  - username: "@analyst-${i}"
    role: owner
`;
}

/**
 * A dbt project of `n` marts over one staging model. At head the staging model renames its
 * `customer_id` to `client_id` (the root cause, which every mart reads) and each mart renames its own
 * `amount_<i>` to `total_<i>` (ordinary renames). Every fifth mart has an ODCS contract.
 */
export function rootRenameRepo(n = 300) {
  const base = new Map<string, string>();
  const head = new Map<string, string>();
  const both = (path: string, text: string) => {
    base.set(path, text);
    head.set(path, text);
  };
  both(CONFIG_PATH, CONFIG);
  both("dbt_project.yml", "name: big\nmodel-paths: ['models']\n");
  both(
    "models/staging/_sources.yml",
    "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: customers\n        columns:\n          - name: id\n          - name: amount\n",
  );
  const staging = (column: string) =>
    `select\n    id as ${column},\n    amount\nfrom {{ source('raw', 'customers') }}\n`;
  base.set("models/staging/stg_customers.sql", staging("customer_id"));
  head.set("models/staging/stg_customers.sql", staging("client_id"));
  const changed = ["models/staging/stg_customers.sql"];
  for (let i = 0; i < n; i += 1) {
    const mart = (key: string, amount: string) =>
      `select\n    ${key} as customer_ref,\n    amount as ${amount}\nfrom {{ ref('stg_customers') }}\n`;
    const path = `models/marts/mart_${pad(i)}.sql`;
    base.set(path, mart("customer_id", `amount_${i}`));
    head.set(path, mart("client_id", `total_${i}`));
    changed.push(path);
    if (i % 5 === 0) both(`contracts/mart_${i}.odcs.yaml`, contract(i));
  }
  return { base, head, changed };
}

/** The impact of the root rename, as the check run computes it. */
export function analyzeRootRename(n = 300): AnalyzedImpact {
  const { base, head, changed } = rootRenameRepo(n);
  return analyzeImpact({
    base: { files: base },
    head: { files: head },
    config: parseConfig(head.get(CONFIG_PATH), CONFIG_PATH),
    changedFiles: changed,
  });
}
