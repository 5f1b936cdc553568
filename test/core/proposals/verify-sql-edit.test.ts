import { describe, expect, it } from "vitest";
import { verifySqlEdit } from "../../../src/core/proposals/verify-sql-edit.js";
import { configFor } from "./fixtures.js";

const MODEL =
  "create table mart.orders as\nselect\n    id as order_id,\n    amount_cents / 100.0 as amount\nfrom raw.orders;\n";
const files = new Map([["models/orders.sql", MODEL]]);
const config = configFor({ dialect: "postgres", models: { paths: ["models/**/*.sql"] } });

describe("verifySqlEdit", () => {
  it("accepts an edit that changes only the column it names", () => {
    const after = MODEL.replace(
      "amount_cents / 100.0 as amount",
      "coalesce(amount_cents / 100.0, 0) as amount",
    );
    expect(
      verifySqlEdit({
        files,
        config,
        path: "models/orders.sql",
        after,
        changing: new Set(["mart.orders.amount"]),
      }).ok,
    ).toBe(true);
  });

  it("refuses an edit that no longer parses", () => {
    const after = MODEL.replace("amount_cents / 100.0 as amount", "coalesce(amount_cents / 100.0, as amount");
    const check = verifySqlEdit({
      files,
      config,
      path: "models/orders.sql",
      after,
      changing: new Set(["mart.orders.amount"]),
    });
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(/no longer reads cleanly/);
  });

  it("refuses an edit that changes the lineage of another column", () => {
    const after = MODEL.replace("id as order_id", "customer_id as order_id");
    const check = verifySqlEdit({
      files,
      config,
      path: "models/orders.sql",
      after,
      changing: new Set(["mart.orders.amount"]),
    });
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(/lineage of mart\.orders\.order_id/);
  });

  it("refuses an edit that adds or removes a column", () => {
    const after = MODEL.replace(
      "    amount_cents / 100.0 as amount\n",
      "    amount_cents / 100.0 as amount,\n    1 as backflow_flag\n",
    );
    expect(verifySqlEdit({ files, config, path: "models/orders.sql", after, changing: new Set() }).ok).toBe(
      false,
    );
  });
});
