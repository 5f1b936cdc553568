import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../../src/core/config/schema.js";
import { matchDataset } from "../../../src/core/triage/match-dataset.js";
import { graph } from "./graph.js";

const config = ConfigSchema.parse({
  signals: {
    datasets: { "prod.finance.revenue_daily": "fct_revenue", "model.shop.legacy_orders": "marts.orders" },
  },
  contracts: { bindings: { payments_contract: "stg_payments" } },
});

describe("matchDataset", () => {
  it.each([
    [{ name: "PROD.finance.revenue_daily" }, "fct_revenue", "config"],
    [{ name: "x", dbtUniqueId: "model.shop.legacy_orders" }, "marts.orders", "config"],
    [{ name: "x", contractId: "payments_contract" }, "stg_payments", "config"],
    [{ name: "shop.main.fct_revenue", dbtUniqueId: "model.shop.fct_revenue" }, "fct_revenue", "dbt-id"],
    [{ name: "x", dbtUniqueId: "model.shop.fct_revenue.v2" }, "fct_revenue", "dbt-id"],
    [{ name: "x", dbtUniqueId: "source.shop.raw.payments" }, "raw.payments", "dbt-id"],
    [{ name: "stg_payments" }, "stg_payments", "exact"],
    [{ name: '"analytics"."public"."stg_payments"' }, "stg_payments", "suffix"],
    [{ name: "warehouse.marts.orders" }, "marts.orders", "suffix"],
    [{ name: "lake/raw/payments" }, "raw.payments", "suffix"],
  ])("maps %j to %s by %s", (dataset, tableId, how) => {
    expect(matchDataset({ dataset, config, graph })).toEqual({ tableId, how });
  });

  it("reports an ambiguous name with its candidates instead of guessing", () => {
    const result = matchDataset({ dataset: { name: "analytics.public.orders" }, config, graph });
    expect(result).toEqual({
      unmatched: true,
      reason: expect.stringContaining("2 tables"),
      candidates: ["marts.orders", "staging.orders"],
    });
  });

  it("reports an unknown dataset as unmatched", () => {
    const result = matchDataset({ dataset: { name: "crm.contacts" }, config, graph });
    expect(result).toMatchObject({ unmatched: true, candidates: [] });
  });

  it("falls through a dbt id the graph does not know", () => {
    const result = matchDataset({
      dataset: { name: "stg_payments", dbtUniqueId: "model.shop.gone" },
      config,
      graph,
    });
    expect(result).toEqual({ tableId: "stg_payments", how: "exact" });
  });
});

describe("matchDataset never lets a suffix contradict a qualifier", () => {
  const tables = (ids: string[]) => ({
    ...graph,
    tables: ids.map((id) => ({ ...(graph.tables[0] as (typeof graph.tables)[number]), id })),
  });

  it("does not match tutorial.main.orders to the source raw.orders", () => {
    const result = matchDataset({
      dataset: { name: "tutorial.main.orders" },
      config,
      graph: tables(["raw.orders", "customers"]),
    });
    expect(result).toEqual({
      unmatched: true,
      reason: expect.stringContaining('its qualifier "main" contradicts "raw"'),
      candidates: ["raw.orders"],
    });
  });

  it.each([
    ["tutorial.main.orders", ["raw.orders", "orders"], "orders"],
    ["tutorial.main.orders", ["raw.orders", "main.orders"], "main.orders"],
    ["orders", ["raw.orders"], "raw.orders"],
  ])("matches %s among %j to %s, whose qualifiers agree", (name, ids, tableId) => {
    expect(matchDataset({ dataset: { name }, config, graph: tables(ids) })).toEqual({
      tableId,
      how: "suffix",
    });
  });
});

// Issue #17: "A suffix match must not contradict any qualifier the name carries (schema, database, dbt package)".
describe("matchDataset never matches a dbt id from a package that is not the repository's project", () => {
  const tables = (ids: string[]) => ({
    ...graph,
    tables: ids.map((id) => ({ ...(graph.tables[0] as (typeof graph.tables)[number]), id })),
  });

  it.each([
    ["model.other_pkg.orders", ["shop"], ["orders"], ["orders"]],
    ["seed.other_pkg.orders", ["shop"], ["orders"], ["orders"]],
    ["snapshot.other_pkg.orders", ["shop", "jaffle"], ["orders"], ["orders"]],
    ["model.other_pkg.orders.v2", ["shop"], ["orders"], ["orders"]],
    ["source.other_pkg.raw.orders", ["shop"], ["raw.orders"], ["raw.orders"]],
    [
      "model.other_pkg.orders",
      ["shop"],
      ["marts.orders", "staging.orders"],
      ["marts.orders", "staging.orders"],
    ],
  ])("leaves %s unmatched when the projects are %j (tables %j)", (dbtUniqueId, projects, ids, candidates) => {
    const result = matchDataset({
      dataset: { name: "orders", dbtUniqueId },
      config,
      graph: tables(ids),
      dbtProjects: projects,
    });
    expect(result).toEqual({ unmatched: true, reason: expect.any(String), candidates });
    if (!("reason" in result)) return;
    expect(result.reason).toContain('dbt package "other_pkg"');
    for (const project of projects) expect(result.reason).toContain(`"${project}"`);
  });

  it.each([
    ["model.shop.orders", ["shop"], "orders", "dbt-id"],
    ["MODEL.Shop.orders", ["SHOP"], "orders", "dbt-id"],
    ["model.shop.orders", ["jaffle", "shop"], "orders", "dbt-id"],
    ["model.other_pkg.orders", [], "orders", "dbt-id"],
    ["model.other_pkg.orders", undefined, "orders", "dbt-id"],
    ["test.other_pkg.not_null_orders_id", ["shop"], "orders", "exact"],
  ])("matches %s with projects %j to %s by %s", (dbtUniqueId, projects, tableId, how) => {
    const result = matchDataset({
      dataset: { name: "orders", dbtUniqueId },
      config,
      graph: tables(["orders", "customers"]),
      ...(projects ? { dbtProjects: projects } : {}),
    });
    expect(result).toEqual({ tableId, how });
  });

  it("still honours a signals.datasets mapping for another package's id", () => {
    const result = matchDataset({
      dataset: { name: "x", dbtUniqueId: "model.shop.legacy_orders" },
      config,
      graph,
      dbtProjects: ["jaffle"],
    });
    expect(result).toEqual({ tableId: "marts.orders", how: "config" });
  });
});
