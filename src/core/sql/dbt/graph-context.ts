/**
 * dbt's run-time view of the project for a model's Jinja: `graph`, `adapter.get_relation`, `load_relation`,
 * Answers come from what the repository defines (see `dbt-graph.ts`): a relation the project does not
 * define is absent (`none`, with a warning), and one that several nodes could be is unknown.
 * `adapter.get_columns_in_relation` of a relation the project declares columns for returns those columns, but
 * the model is marked incomplete (its column list gets an unknown `*`): YAML lists the columns someone
 * documented, the warehouse has all of them (tuva's `select_extension_columns` loops over undocumented `x_`
 * ones), so what a template builds from the list may lack columns.
 */
import { bindArgs, relationValue } from "./cross-db-macros.js";
import { type DbtGraphNode, uniqueIdOf } from "./dbt-graph.js";
import { type CallArgs, Callable, Dict, Opaque, toText, Undefined, type Value } from "./jinja-values.js";
import type { JinjaContext } from "./render-jinja.js";

export type GraphHost = {
  readonly ctx: JinjaContext;
  warn(line: number, message: string): void;
  unknownMacro(name: string, call: CallArgs): Value;
  /** What the template renders from here on may lack columns (counts like a loop over an unknown value). */
  incomplete(line: number, message: string): void;
};

const DEFAULT_SCHEMA = "public";
const DEFAULT_DATABASE = "dev";

function schemaOf(ctx: JinjaContext, node: DbtGraphNode): string {
  return (
    node.schema ??
    (node.resourceType === "source" ? (node.sourceName ?? "") : (ctx.target?.schema ?? DEFAULT_SCHEMA))
  );
}

function databaseOf(ctx: JinjaContext, node: DbtGraphNode): string {
  return node.database ?? ctx.target?.database ?? DEFAULT_DATABASE;
}

/** The SQL text of a node's relation: what `ref()` / `source()` render for it. */
function relationText(ctx: JinjaContext, node: DbtGraphNode): string {
  return node.resourceType === "source" ? ctx.source(node.sourceName ?? "", node.name) : ctx.ref(node.name);
}

function relationOf(ctx: JinjaContext, node: DbtGraphNode): Opaque {
  return relationValue(relationText(ctx, node), {
    identifier: node.identifier,
    schema: schemaOf(ctx, node),
    database: databaseOf(ctx, node),
  });
}

function columnDict(name: string): Dict {
  return new Dict([
    ["name", name],
    ["description", ""],
    ["data_type", null],
    ["meta", new Dict()],
    ["tags", []],
    ["config", new Dict([["meta", new Dict()]])],
  ]);
}

function nodeDict(ctx: JinjaContext, node: DbtGraphNode): Dict {
  const common: Array<[string, Value]> = [
    ["unique_id", uniqueIdOf(node)],
    ["name", node.name],
    ["resource_type", node.resourceType],
    ["package_name", node.packageName],
    ["database", databaseOf(ctx, node)],
    ["schema", schemaOf(ctx, node)],
    ["identifier", node.identifier],
    ["alias", node.identifier],
    ["path", node.path],
    ["original_file_path", node.path],
    ["description", ""],
    ["tags", []],
    ["meta", new Dict()],
    ["columns", new Dict(node.columns.map((c) => [c, columnDict(c)] as const))],
    ["config", new Dict([["enabled", true]])],
    ["relation_name", relationText(ctx, node)],
  ];
  if (node.resourceType === "source") common.push(["source_name", node.sourceName ?? ""]);
  return new Dict(common);
}

/** `graph`: `{nodes: {unique_id: node}, sources: {unique_id: source}}` over the project's own nodes. */
export function graphValue(ctx: JinjaContext): Value {
  const nodes = ctx.graph?.nodes ?? [];
  const of = (source: boolean) =>
    new Dict(
      nodes
        .filter((n) => (n.resourceType === "source") === source)
        .map((n) => [uniqueIdOf(n), nodeDict(ctx, n)] as const),
    );
  return new Dict([
    ["nodes", of(false)],
    ["sources", of(true)],
    ["exposures", new Dict()],
    ["metrics", new Dict()],
  ]);
}

const lower = (v: Value | undefined): string | undefined =>
  v === undefined || v === null || v instanceof Undefined ? undefined : toText(v).toLowerCase();

/** The one node at (database, schema, identifier); schema/database narrow the match only when they agree. */
function findNode(
  ctx: JinjaContext,
  identifier: string,
  schema: string | undefined,
  database: string | undefined,
): DbtGraphNode[] {
  let found = (ctx.graph?.nodes ?? []).filter((n) => n.identifier.toLowerCase() === identifier);
  // A model's schema in the warehouse depends on generate_schema_name and the profile, which Backflow does
  // not know: a schema or database that names none of the candidates does not rule them all out.
  for (const [wanted, of] of [
    [schema, schemaOf],
    [database, databaseOf],
  ] as const) {
    if (wanted === undefined || found.length < 2) continue;
    const narrowed = found.filter((n) => of(ctx, n).toLowerCase() === wanted);
    if (narrowed.length > 0) found = narrowed;
  }
  return found;
}

function lookup(host: GraphHost, name: string, call: CallArgs, parts: (Value | undefined)[]): Value {
  const [database, schema, identifier] = parts.map(lower);
  if (identifier === undefined) return host.unknownMacro(name, call);
  const found = findNode(host.ctx, identifier, schema, database);
  if (found.length === 1) return relationOf(host.ctx, found[0] as DbtGraphNode);
  if (found.length > 1) return host.unknownMacro(name, call);
  host.warn(
    call.line,
    `${name} at line ${call.line}: ${[schema, identifier].filter(Boolean).join(".")} is not a model, seed or source of this project, so it is taken as absent (none), as in a warehouse without it`,
  );
  return null;
}

/** `adapter.get_relation(database, schema, identifier)`. */
export function getRelation(host: GraphHost): Callable {
  return new Callable("adapter.get_relation", (call) =>
    lookup(host, "adapter.get_relation", call, bindArgs(call, ["database", "schema", "identifier"])),
  );
}

/** `load_relation(relation)` / `adapter.load_relation(relation)`: the relation if the project defines it. */
export function loadRelation(host: GraphHost, name: string): Callable {
  return new Callable(name, (call) => {
    const [relation] = bindArgs(call, ["relation"]);
    if (!(relation instanceof Opaque)) return host.unknownMacro(name, call);
    const node = nodeOfRelation(host.ctx, relation);
    if (node === "ambiguous") return host.unknownMacro(name, call);
    if (node) return relationOf(host.ctx, node);
    const attrs = relation.attrs;
    return lookup(host, name, call, [attrs.database, attrs.schema, attrs.identifier]);
  });
}

function nodeOfRelation(ctx: JinjaContext, relation: Opaque): DbtGraphNode | "ambiguous" | undefined {
  const found = (ctx.graph?.nodes ?? []).filter((n) => relationText(ctx, n) === relation.text);
  return found.length > 1 ? "ambiguous" : found[0];
}

/**
 * `adapter.get_columns_in_relation(relation)`: the declared columns of a relation the project defines and
 * describes (and the model marked incomplete); anything else is only in the warehouse (the unknown-macro
 * placeholder, whose loops and length are unknown).
 */
export function getColumnsInRelation(host: GraphHost): Callable {
  const name = "adapter.get_columns_in_relation";
  return new Callable(name, (call) => {
    const [relation] = bindArgs(call, ["relation"]);
    const node = relation instanceof Opaque ? nodeOfRelation(host.ctx, relation) : undefined;
    if (!node || node === "ambiguous" || node.columns.length === 0) return host.unknownMacro(name, call);
    host.incomplete(
      call.line,
      `${name} at line ${call.line}: the ${node.columns.length} columns the project declares for ${node.name} are used; the warehouse may have more, so the columns built from them may be incomplete`,
    );
    return node.columns.map((c) => columnValue(c));
  });
}

/** dbt's `Column`: `name`, `column`, `quoted`, `data_type` (unknown here), `dtype`. */
function columnValue(name: string): Dict {
  return new Dict([
    ["name", name],
    ["column", name],
    ["quoted", `"${name}"`],
    ["data_type", new Undefined("data_type")],
    ["dtype", new Undefined("dtype")],
  ]);
}
