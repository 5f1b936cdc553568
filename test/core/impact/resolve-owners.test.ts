import { describe, expect, it } from "vitest";
import { parseCodeowners } from "../../../src/core/codeowners/parse-codeowners.js";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import type { Contract } from "../../../src/core/contracts/contract.js";
import { resolveOwners, severityOf } from "../../../src/core/impact/resolve-owners.js";

const contract: Contract = {
  id: "orders",
  format: "odcs",
  file: "contracts/orders.yaml",
  datasets: [{ name: "fct_orders", tableId: "fct_orders", line: 1, columns: [], rules: [] }],
  owners: ["@bob", "@org/finance"],
};
const codeowners = parseCodeowners("models/ @org/analytics\n");
const file = "models/fct_orders.sql";

describe("resolveOwners", () => {
  it.each([
    [
      "config owners first (every matching glob)",
      "owners:\n  'fct_*': ['@a']\n  fct_orders: ['@b', '@a']\n",
      [contract],
      ["@a", "@b"],
    ],
    ["then the contract's owners", "", [contract], ["@bob", "@org/finance"]],
    ["then CODEOWNERS of the model file", "", [], ["@org/analytics"]],
    ["ignores globs for other tables", "owners:\n  'dim_*': ['@a']\n", [], ["@org/analytics"]],
  ])("uses %s", (_name, yaml, contracts, expected) => {
    const config = parseConfig(yaml);
    expect(resolveOwners({ table: "fct_orders", file, config, contracts, codeowners })).toEqual(expected);
  });

  it("returns nobody when no source names an owner", () => {
    expect(resolveOwners({ table: "x", config: parseConfig(""), contracts: [] })).toEqual([]);
  });
});

describe("severityOf", () => {
  const config = parseConfig(
    "impact:\n  severity:\n    - { path: 'models/**', level: warn }\n    - { path: 'fct_*', level: fail }\n",
  );
  it.each([
    [{ table: "stg_orders", file: "models/staging/stg_orders.sql" }, "warn"],
    [{ table: "fct_orders", file: "models/marts/fct_orders.sql" }, "fail"],
    [{ table: "other", file: "sql/other.sql" }, "fail"],
  ])("gives %j severity %s (last matching rule)", (target, level) => {
    expect(severityOf(config, target)).toBe(level);
  });
});
