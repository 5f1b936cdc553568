/**
 * Columns of tables as declared outside the SQL, used where the SQL cannot tell (`SELECT *` over a table
 * no model produces, or a model analysed table-level only). In order of trust: contracts, dbt YAML
 * (sources, and the `columns:` of models), then a dbt `catalog.json`, then the header line of dbt seeds' CSVs.
 */
import { parse } from "yaml";
import type { RepoFiles } from "../repo-files.js";
import {
  cachedRead,
  type DbtProject,
  type DbtYamlRead,
  type FindDbtProjectsOptions,
  isRecord,
} from "../sql/dbt/find-dbt-projects.js";
import { isSeedFile, readCsvHeader, seedNameOf, seedPathsOf } from "../sql/dbt/seed-columns.js";
import type { KnownTable } from "./link-analyses.js";
import type { Diagnostic } from "./schema.js";

const MAX_YAML_CHARS = 2_000_000;

function insideAny(path: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => dir === "" || path.startsWith(`${dir}/`));
}

function columnNames(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c) =>
    isRecord(c) && typeof c.name === "string" && c.name.trim() ? [c.name.trim()] : [],
  );
}

/** The `models:` entries of one properties file that list columns; nothing when it is not YAML. */
function readModelColumns(content: string): DbtYamlRead {
  let data: unknown;
  try {
    data = parse(content, { maxAliasCount: 100, uniqueKeys: false });
  } catch {
    return { kind: "models", models: [] }; // broken YAML is reported where dbt sources are read
  }
  const models = isRecord(data) && Array.isArray(data.models) ? data.models : [];
  return {
    kind: "models",
    models: models.flatMap((model) => {
      if (!isRecord(model) || typeof model.name !== "string") return [];
      const columns = columnNames(model.columns);
      return columns.length > 0 ? [{ name: model.name.toLowerCase(), columns }] : [];
    }),
  };
}

/**
 * `models: [{name, columns: [{name}]}]` of the properties files under a project's model paths. Each file is
 * parsed once while it is unchanged: the read goes through the dbt YAML cache like sources (`cache`/`used`).
 */
function modelYamlColumns(
  project: DbtProject,
  files: RepoFiles,
  reads: FindDbtProjectsOptions,
): KnownTable[] {
  const out: KnownTable[] = [];
  for (const [path, content] of files) {
    if (!/\.ya?ml$/i.test(path) || !insideAny(path, project.modelPaths)) continue;
    if (content.length > MAX_YAML_CHARS || !/^\s*models\s*:/m.test(content)) continue;
    const read = cachedRead(reads, "models", path, content, () => readModelColumns(content));
    if (read.kind !== "models") continue;
    for (const model of read.models) out.push({ id: model.name, columns: [...model.columns], file: path });
  }
  return out;
}

/** Ids a catalog entry answers to: the dbt id, and the relation's `schema.name` / `database.schema.name`. */
function catalogIds(uniqueId: string, metadata: Record<string, unknown>): string[] {
  const parts = uniqueId.split(".");
  const ids: string[] = [];
  if (parts[0] === "model" || parts[0] === "seed" || parts[0] === "snapshot") ids.push(parts[2] ?? "");
  else if (parts[0] === "source") ids.push(`${parts[2]}.${parts[3]}`);
  const { database, schema, name } = metadata;
  if (typeof schema === "string" && typeof name === "string") {
    ids.push(`${schema}.${name}`);
    if (typeof database === "string") ids.push(`${database}.${schema}.${name}`);
  }
  return [...new Set(ids.filter((id) => id.length > 0).map((id) => id.toLowerCase()))];
}

export type CatalogRead = { readonly tables: KnownTable[]; readonly problem?: string };

/**
 * The tables of a dbt `catalog.json` (`nodes` and `sources`, columns in their `index` order). A file
 * that is not a catalog gives no tables and a problem to report, never an exception.
 */
export function readDbtCatalog(text: string, file: string): CatalogRead {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { tables: [], problem: `${file} is not JSON (${(error as Error).message.slice(0, 120)})` };
  }
  if (!isRecord(data) || (!isRecord(data.nodes) && !isRecord(data.sources))) {
    return { tables: [], problem: `${file} is not a dbt catalog.json: it has no "nodes" or "sources"` };
  }
  const tables: KnownTable[] = [];
  for (const group of [data.nodes, data.sources]) {
    if (!isRecord(group)) continue;
    for (const [uniqueId, node] of Object.entries(group)) {
      if (!isRecord(node) || !isRecord(node.columns)) continue;
      const columns = Object.values(node.columns)
        .filter(isRecord)
        .filter((c) => typeof c.name === "string")
        .sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0))
        .map((c) => String(c.name));
      if (columns.length === 0) continue;
      for (const id of catalogIds(uniqueId, isRecord(node.metadata) ? node.metadata : {})) {
        tables.push({ id, columns, file, complete: true });
      }
    }
  }
  return { tables };
}

/**
 * The seeds of a project with the columns of their CSV header (the seed's name is the file's stem). A header
 * that cannot be read gives no table and a warning, so the seed's columns stay unknown rather than wrong.
 */
export function seedColumns(
  project: DbtProject,
  files: RepoFiles,
  diagnostics: Diagnostic[] = [],
): KnownTable[] {
  const dirs = seedPathsOf(project);
  const out: KnownTable[] = [];
  for (const [path, content] of files) {
    if (!isSeedFile(path, dirs)) continue;
    const header = readCsvHeader(content);
    if (header.problem) {
      diagnostics.push({
        file: path,
        line: 1,
        severity: "warning",
        message: `seed ${seedNameOf(path)}: ${header.problem}, so its columns are unknown; give it a header line of column names`,
      });
      continue;
    }
    out.push({ id: seedNameOf(path), columns: header.columns, file: path, line: 1, complete: true });
  }
  return out;
}

/** Every declared table, the most trusted declaration of an id first (the linker keeps the first). */
export function declaredColumns(args: {
  readonly files: RepoFiles;
  readonly projects: readonly DbtProject[];
  readonly contracts?: ReadonlyMap<string, readonly string[]>;
  readonly catalog?: CatalogRead;
  /** The dbt YAML cache (`cache`, `used`, `shas`), so unchanged model YAML is not parsed again. */
  readonly reads?: FindDbtProjectsOptions;
  /** Receives a warning per seed CSV whose header cannot be read. */
  readonly diagnostics?: Diagnostic[];
}): KnownTable[] {
  const fromContracts = [...(args.contracts ?? new Map<string, readonly string[]>()).entries()].map(
    ([id, columns]) => ({ id, columns, complete: true }),
  );
  const fromSources = args.projects.flatMap((p) =>
    p.sources.map((s) => ({
      id: `${s.sourceName}.${s.tableName}`.toLowerCase(),
      columns: s.columns.map((c) => c.name),
      file: s.file,
      line: s.line,
    })),
  );
  const fromModels = args.projects.flatMap((p) => modelYamlColumns(p, args.files, args.reads ?? {}));
  // Seeds last: YAML, a contract or the catalog (which knows the loaded table) say more than a CSV header.
  const fromSeeds = args.projects.flatMap((p) => seedColumns(p, args.files, args.diagnostics));
  return [...fromContracts, ...fromSources, ...fromModels, ...(args.catalog?.tables ?? []), ...fromSeeds];
}
