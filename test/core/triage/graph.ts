import type { LineageGraph } from "../../../src/core/lineage/schema.js";

/**
 * raw.payments (source) → stg_payments (rename + filter) → fct_revenue (aggregate, join) ;
 * marts.orders and staging.orders share a last segment, so a bare "orders" is ambiguous.
 */
export const graph: LineageGraph = {
  version: 1,
  diagnostics: [],
  tables: [
    {
      id: "raw.payments",
      kind: "source",
      confidence: "column",
      upstream: [],
      columns: [],
      rowSources: [],
    },
    {
      id: "stg_payments",
      kind: "model",
      file: "models/staging/stg_payments.sql",
      line: 1,
      confidence: "column",
      upstream: ["raw.payments"],
      columns: [
        {
          name: "payment_id",
          line: 3,
          transform: "rename",
          sources: [{ table: "raw.payments", column: "id" }],
        },
        {
          name: "order_id",
          line: 4,
          transform: "passthrough",
          sources: [{ table: "raw.payments", column: "order_id" }],
        },
        {
          name: "amount",
          line: 5,
          transform: "expression",
          expression: "amount_cents / 100.0",
          sources: [{ table: "raw.payments", column: "amount_cents" }],
        },
      ],
      rowSources: [{ table: "raw.payments", column: "status", role: "filter", line: 8 }],
    },
    {
      id: "fct_revenue",
      kind: "model",
      file: "models/marts/fct_revenue.sql",
      line: 1,
      confidence: "column",
      upstream: ["stg_payments", "marts.orders"],
      columns: [
        {
          name: "order_id",
          line: 2,
          transform: "passthrough",
          sources: [{ table: "stg_payments", column: "order_id" }],
        },
        {
          name: "revenue",
          line: 3,
          transform: "aggregate",
          expression: "sum(p.amount)",
          sources: [{ table: "stg_payments", column: "amount" }],
        },
      ],
      rowSources: [{ table: "marts.orders", column: "order_id", role: "join", line: 6 }],
    },
    {
      id: "marts.orders",
      kind: "model",
      file: "models/marts/orders.sql",
      line: 1,
      confidence: "column",
      upstream: ["staging.orders"],
      columns: [
        {
          name: "order_id",
          line: 2,
          transform: "passthrough",
          sources: [{ table: "staging.orders", column: "order_id" }],
        },
      ],
      rowSources: [],
    },
    {
      id: "staging.orders",
      kind: "model",
      file: "models/staging/orders.sql",
      line: 1,
      confidence: "column",
      upstream: [],
      columns: [{ name: "order_id", line: 2, transform: "constant", sources: [] }],
      rowSources: [],
    },
  ],
};
