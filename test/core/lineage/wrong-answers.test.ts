/** Wrong answers found on public corpora (docs/lineage-coverage.md), each reproduced by hand-written SQL. */
import { describe, expect, it } from "vitest";
import type { Dialect } from "../../../src/core/config/schema.js";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

describe("double-quoted names are identifiers where the dialect says so", () => {
  const identifierDialects: Dialect[] = ["postgres", "snowflake", "redshift", "duckdb", "trino"];

  it.each(identifierDialects)("traces unqualified quoted columns to the table in %s", (dialect) => {
    const graph = lineageOfSql(
      {
        "users.sql": `select "Id" as id, "email", "Created_At"::date as created_on
from staging.users
where "Deleted" = false`,
      },
      dialect,
    );
    const table = tableOf(graph, "users");
    expect(columnSummary(table)).toEqual([
      "id: passthrough <- staging.users.id",
      "email: passthrough <- staging.users.email",
      "created_on: expression <- staging.users.created_at",
    ]);
    expect(table.rowSources.map((r) => `${r.role} ${r.table}.${r.column}`)).toEqual([
      "filter staging.users.deleted",
    ]);
  });

  it("keeps a double-quoted token a string constant in MySQL", () => {
    const graph = lineageOfSql({ "labels.sql": `select "paid" as status, id from shop.orders` }, "mysql");
    expect(columnSummary(tableOf(graph, "labels"))).toEqual([
      "status: constant <- ",
      "id: passthrough <- shop.orders.id",
    ]);
  });
});
