import { describe, expect, it } from "vitest";
import { resolveTarget } from "../../../src/core/commands/resolve-target.js";

describe("resolveTarget", () => {
  it.each([
    ["orders.customer_id", ["orders"], { dataset: "orders", column: "customer_id" }],
    ["analytics.orders", ["orders"], { dataset: "analytics.orders" }],
    ["orders", ["analytics.orders"], { dataset: "orders" }],
    ["raw.shop.orders", ["raw.shop.orders"], { dataset: "raw.shop.orders" }],
    ["raw.shop.orders.id", ["raw.shop.orders"], { dataset: "raw.shop.orders", column: "id" }],
    ["orders.id", [], { dataset: "orders", column: "id" }],
    ["orders", [], { dataset: "orders" }],
    ["orders.", [], { dataset: "orders." }],
  ])("reads %s with tables %j", (target, tables, expected) => {
    expect(resolveTarget(target, tables)).toEqual(expected);
  });
});
