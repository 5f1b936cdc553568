import type { BackflowConfig } from "../config/schema.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { DatasetRef } from "../signals/signal-schema.js";

export type DatasetMatch =
  | { readonly tableId: string; readonly how: "config" | "dbt-id" | "exact" | "suffix" }
  | { readonly unmatched: true; readonly reason: string; readonly candidates: readonly string[] };

const clean = (name: string) =>
  name
    .replace(/["`[\]]/g, "")
    .trim()
    .toLowerCase();

// A dbt unique id names the lineage table: model.pkg.name[.v2] → name, source.pkg.src.tbl → src.tbl.
function tableOfDbtId(uniqueId: string): string | undefined {
  const [type, , ...rest] = clean(uniqueId).split(".");
  if (rest.length === 0) return undefined;
  if (type === "source") return rest.join(".");
  if (type === "model" || type === "seed" || type === "snapshot") {
    const [name, version] = rest;
    return version && /^v\d+$/.test(version) ? name : rest.join(".");
  }
  return undefined;
}

const PACKAGED_TYPES: ReadonlySet<string> = new Set(["model", "seed", "snapshot", "source"]);

// The dbt package a unique id names (`model.pkg.name` → pkg), for the node types that are tables.
function packageOfDbtId(uniqueId: string): string | undefined {
  const [type, pkg, ...rest] = clean(uniqueId).split(".");
  return type && pkg && rest.length > 0 && PACKAGED_TYPES.has(type) ? pkg : undefined;
}

function fromConfig(dataset: DatasetRef, config: BackflowConfig): string | undefined {
  const mapping = new Map(Object.entries(config.signals.datasets).map(([k, v]) => [clean(k), v]));
  const keys = [
    dataset.name,
    dataset.dbtUniqueId,
    dataset.namespace && `${dataset.namespace}/${dataset.name}`,
  ];
  for (const key of keys) {
    const hit = key ? mapping.get(clean(key)) : undefined;
    if (hit) return hit.toLowerCase();
  }
  const bound = dataset.contractId ? config.contracts.bindings[dataset.contractId] : undefined;
  return bound?.toLowerCase();
}

function commonSuffix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/**
 * Matches by dot-suffix without guessing: one name must be a whole suffix of the other, so every
 * qualifier both carry (database, schema) agrees. `tutorial.main.orders` matches `orders` or
 * `main.orders`, never `raw.orders`: "main" contradicts "raw".
 */
function bySuffix(name: string, tableIds: readonly string[]): DatasetMatch {
  const parts = name.split(/[./]/).filter(Boolean);
  let best = 0;
  let found: string[] = [];
  const contradicted: string[] = [];
  for (const id of tableIds) {
    const idParts = id.split(".");
    const n = commonSuffix(parts, idParts);
    if (n === 0) continue;
    if (n < parts.length && n < idParts.length) {
      contradicted.push(id);
      continue;
    }
    if (n > best) [best, found] = [n, [id]];
    else if (n === best) found.push(id);
  }
  if (found.length === 1 && found[0]) return { tableId: found[0], how: "suffix" };
  if (found.length > 1) {
    return {
      unmatched: true,
      reason: `"${name}" matches ${found.length} tables equally well`,
      candidates: found.sort(),
    };
  }
  if (contradicted.length > 0) {
    const first = contradicted.sort()[0] ?? "";
    const qualifier = (id: string, of: readonly string[]) =>
      of.at(-1 - commonSuffix(parts, id.split("."))) ?? "";
    return {
      unmatched: true,
      reason: `"${name}" ends like ${contradicted.length === 1 ? first : `${contradicted.length} tables`}, but its qualifier "${qualifier(first, parts)}" contradicts "${qualifier(first, first.split("."))}"; map it in signals.datasets if they are the same table`,
      candidates: contradicted.slice(0, 10),
    };
  }
  const last = parts.at(-1) ?? name;
  const similar = tableIds.filter((id) => id.includes(last) || last.includes(id.split(".").at(-1) ?? id));
  return {
    unmatched: true,
    reason: `no table in the lineage graph is named like "${name}"`,
    candidates: similar.sort().slice(0, 10),
  };
}

/**
 * Finds the lineage table a signal's dataset is about: the `signals.datasets` (or contract binding)
 * mapping first, then a dbt unique id, then an exact id, then the longest dot-suffix shared with
 * exactly one table whose qualifiers do not contradict the name's (`analytics.public.orders` →
 * `orders` or `public.orders`, never `raw.orders`). A dbt unique id whose package is none of the
 * repository's dbt projects contradicts them too. Ambiguity and contradiction are reported as
 * unmatched with the candidates, never guessed.
 */
export function matchDataset(input: {
  dataset: DatasetRef;
  config: BackflowConfig;
  graph: LineageGraph;
  /**
   * The `name:` of every dbt project in the repository (dbt_project.yml). When non-empty, a dbt
   * unique id from another package (`model.other_pkg.orders`) is unmatched, never matched by name.
   */
  dbtProjects?: readonly string[];
}): DatasetMatch {
  const { dataset, config } = input;
  const configured = fromConfig(dataset, config);
  if (configured) return { tableId: configured, how: "config" };
  const pkg = dataset.dbtUniqueId ? packageOfDbtId(dataset.dbtUniqueId) : undefined;
  const projects = [...new Set((input.dbtProjects ?? []).map(clean).filter(Boolean))].sort();
  if (pkg && projects.length > 0 && !projects.includes(pkg)) {
    const byName = matchByName(dataset, input.graph);
    return {
      unmatched: true,
      reason: `dbt package "${pkg}" of ${dataset.dbtUniqueId} is not ${projects.length === 1 ? "this repository's dbt project" : "one of this repository's dbt projects"} (${projects.map((p) => `"${p}"`).join(", ")}); map it in signals.datasets if it is the same table`,
      candidates: "tableId" in byName ? [byName.tableId] : byName.candidates,
    };
  }
  return matchByName(dataset, input.graph);
}

function matchByName(dataset: DatasetRef, graph: LineageGraph): DatasetMatch {
  const ids = graph.tables.map((t) => t.id.toLowerCase());
  const known = new Set(ids);
  const dbtTable = dataset.dbtUniqueId ? tableOfDbtId(dataset.dbtUniqueId) : undefined;
  if (dbtTable && known.has(dbtTable)) return { tableId: dbtTable, how: "dbt-id" };
  const name = clean(dataset.name);
  if (known.has(name)) return { tableId: name, how: "exact" };
  return bySuffix(name, ids);
}
