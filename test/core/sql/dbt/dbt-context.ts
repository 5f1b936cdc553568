import type { JinjaContext } from "../../../../src/core/sql/dbt/render-jinja.js";

/** A JinjaContext like the lineage builder's: refs render as the model name, sources as `source.table`. */
export function dbtContext(overrides: Partial<JinjaContext> = {}): JinjaContext {
  return {
    ref: (name, pkg) => (pkg ? `${pkg}__${name}` : name),
    source: (sourceName, tableName) => `${sourceName}.${tableName}`,
    vars: {},
    isIncremental: false,
    thisRelation: "this_model",
    ...overrides,
  };
}
