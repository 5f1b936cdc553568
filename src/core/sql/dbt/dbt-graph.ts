/**
 * What a dbt project itself knows about its relations, for the run-time context dbt gives a model:
 * `graph.nodes` / `graph.sources`, `adapter.get_relation`, `load_relation`, and the declared columns
 * `adapter.get_columns_in_relation` returns. Built from the repository only (model files, seeds, source
 * and model YAML), never from the warehouse: what the warehouse alone knows stays unknown.
 */
import { sha1Hex } from "../sha1-hex.js";

export type DbtGraphNode = {
  readonly resourceType: "model" | "seed" | "source";
  /** The model's or seed's name; for a source, its table's name. */
  readonly name: string;
  /** For a source table, the source's name. */
  readonly sourceName?: string;
  readonly packageName: string;
  /** The table's name in the warehouse (a source's `identifier`, else the name). */
  readonly identifier: string;
  /** Declared schema and database (sources); models get the target's at render time. */
  readonly schema?: string;
  readonly database?: string;
  /** Columns the repository declares (YAML, contracts); empty when nothing declares them. */
  readonly columns: readonly string[];
  /** Path of the file that defines it. */
  readonly path: string;
};

export type DbtGraph = {
  readonly nodes: readonly DbtGraphNode[];
  /** Changes whenever a node or its declared columns change (part of the cache key of models that read it). */
  readonly key: string;
};

export function dbtGraphOf(nodes: readonly DbtGraphNode[]): DbtGraph {
  return { nodes, key: sha1Hex(JSON.stringify(nodes)) };
}

/** dbt's unique id: `model.pkg.name`, `seed.pkg.name`, `source.pkg.source.table`. */
export function uniqueIdOf(node: DbtGraphNode): string {
  return node.resourceType === "source"
    ? `source.${node.packageName}.${node.sourceName ?? ""}.${node.name}`
    : `${node.resourceType}.${node.packageName}.${node.name}`;
}

/**
 * The words that make a model read the graph context; a model whose Jinja (or a macro it reaches) has none
 * of them renders the same whatever the project's other nodes are, so its cache key leaves the graph out.
 */
export const GRAPH_WORDS: ReadonlySet<string> = new Set([
  "graph",
  "get_relation",
  "load_relation",
  "get_columns_in_relation",
]);
