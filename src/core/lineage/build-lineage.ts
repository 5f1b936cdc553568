import type { BackflowConfig } from "../config/schema.js";
import type { RepoFiles } from "../repo-files.js";
import { type DbtGraph, type DbtGraphNode, dbtGraphOf, GRAPH_WORDS } from "../sql/dbt/dbt-graph.js";
import {
  type DbtProject,
  type DbtYamlRead,
  findDbtProjects,
  modelNameOf,
} from "../sql/dbt/find-dbt-projects.js";
import { MacroLibrary, macroLibraryOf } from "../sql/dbt/macro-library.js";
import { isSeedFile, seedNameOf, seedPathsOf } from "../sql/dbt/seed-columns.js";
import { sha1Hex } from "../sql/sha1-hex.js";
import { analyzeFile, type FileRole, hasJinja } from "./analyze-file.js";
import { type CatalogRead, declaredColumns, readDbtCatalog } from "./declared-columns.js";
import { ANALYSIS_VERSION, type FileAnalysis } from "./file-analysis.js";
import { type KnownTable, linkAnalyses } from "./link-analyses.js";
import { pathMatcher } from "./path-matcher.js";
import { plainModelName } from "./plain-model-name.js";
import type { Diagnostic, LineageGraph } from "./schema.js";

export type BuildLineageOptions = {
  /** path → Git blob SHA; files without one are keyed by a hash of their content. */
  readonly shas?: ReadonlyMap<string, string>;
  /** Analyses from an earlier run, by cache key (see `analysisKey`). */
  readonly cache?: ReadonlyMap<string, FileAnalysis>;
  /** Table id → column names known from contracts, used to expand `*` and resolve columns. */
  readonly knownColumns?: ReadonlyMap<string, readonly string[]>;
  /** dbt YAML reads (projects, sources) from an earlier run's `dbtReads`, so unchanged YAML is not re-parsed. */
  readonly dbtCache?: ReadonlyMap<string, DbtYamlRead>;
  /**
   * A dbt catalog.json given from outside the repository (the CLI's `--catalog`); it replaces the one at
   * `lineage.catalog`. Its columns expand `SELECT *` over tables nothing else describes.
   */
  readonly catalog?: { readonly path: string; readonly text: string };
};

/** The catalog to read: the one given, else the file at `lineage.catalog` when the repository has it. */
function catalogOf(
  files: RepoFiles,
  config: BackflowConfig,
  options: BuildLineageOptions,
): (CatalogRead & { file: string }) | undefined {
  const path = options.catalog?.path ?? config.lineage?.catalog;
  const text = options.catalog?.text ?? (path !== undefined ? files.get(path) : undefined);
  if (path === undefined) return undefined;
  if (text === undefined) {
    const problem = `lineage.catalog names ${path}, which is not in the repository (Backflow reads it as given; run dbt docs generate and commit it, or pass --catalog)`;
    return { tables: [], problem, file: path };
  }
  return { ...readDbtCatalog(text, path), file: path };
}

export type BuiltLineage = {
  graph: LineageGraph;
  /** Every file analysis used, by cache key: pass as `cache` next time. */
  analyses: Map<string, FileAnalysis>;
  /** Every dbt YAML read used: pass as `dbtCache` next time. */
  dbtReads: Map<string, DbtYamlRead>;
};

function rolesOf(
  files: RepoFiles,
  config: BackflowConfig,
  projects: ReadonlyMap<DbtProject, MacroLibrary>,
): Map<string, FileRole> {
  const include = pathMatcher(config.models.paths);
  const exclude = pathMatcher(config.models.exclude);
  const roles = new Map<string, FileRole>();
  const paths: string[] = [];
  for (const path of files.keys()) if (/\.sql$/i.test(path)) paths.push(path);
  for (const path of paths.sort()) {
    if (exclude(path)) continue;
    let role: FileRole | undefined;
    for (const [project, macros] of projects) {
      const modelName = modelNameOf(project, path);
      if (modelName === null) continue;
      role = { kind: "dbt", modelName: modelName.toLowerCase(), project, macros };
      break;
    }
    if (role) roles.set(path, role);
    else if (include(path)) roles.set(path, { kind: "plain", modelName: plainModelName(path) });
  }
  return roles;
}

// The vars object of a project is shared by all its models: serialise it once, not once per file.
const varsJson = new WeakMap<object, string>();

function varsKey(vars: Record<string, unknown>): string {
  let json = varsJson.get(vars);
  if (json === undefined) {
    json = JSON.stringify(vars);
    varsJson.set(vars, json);
  }
  return json;
}

/** Bump when the rendering of plain SQL files changes; their cached analyses are then ignored. */
const PLAIN_JINJA_VERSION = 2;

/**
 * Cache key of one file's analysis: its content, how it is read, the analysis version, and for a dbt
 * model `macroKey`, which changes with every project macro the model can reach (`MacroLibrary.keyFor`).
 */
export function analysisKey(args: {
  path: string;
  sha: string;
  dialect: string;
  role: FileRole;
  macroKey?: string;
  /** A plain file rendered as Jinja before it is parsed (see `hasJinja`). */
  rendered?: boolean;
}): string {
  const { role } = args;
  const macros = args.macroKey ? `:${args.macroKey}` : "";
  // A plain file's key changes only when it is rendered, so the analyses of files without Jinja stay valid.
  const context =
    role.kind === "dbt"
      ? `dbt:${role.modelName}:${varsKey(role.project.vars)}${macros}`
      : `plain:${role.modelName}${args.rendered ? `:jinja-${PLAIN_JINJA_VERSION}` : ""}`;
  return sha1Hex(
    `${ANALYSIS_VERSION}\u0000${args.path}\u0000${args.dialect}\u0000${context}\u0000${args.sha}`,
  );
}

/**
 * Builds column-level lineage for a repository: dbt models (rendered first) and plain SQL files matched
 * by `config.models`. Each file is analysed on its own and cached by key; the cross-file pass links them.
 */
export function buildLineage(
  files: RepoFiles,
  config: BackflowConfig,
  options: BuildLineageOptions = {},
): BuiltLineage {
  const dbtReads = new Map<string, DbtYamlRead>();
  const reads = {
    used: dbtReads,
    ...(options.dbtCache ? { cache: options.dbtCache } : {}),
    ...(options.shas ? { shas: options.shas } : {}),
  };
  const projects = findDbtProjects(files, reads);
  const libraries = new Map(projects.map((p) => [p, projectMacros(p, files, options.shas)] as const));
  const catalog = catalogOf(files, config, options);
  const seedDiagnostics: Diagnostic[] = [];
  const known = declaredColumns({
    files,
    projects,
    reads,
    diagnostics: seedDiagnostics,
    ...(options.knownColumns ? { contracts: options.knownColumns } : {}),
    ...(catalog ? { catalog } : {}),
  });
  const roles = rolesOf(files, config, libraries);
  const graph = lazyGraph(files, projects, roles, known);
  const analyses = new Map<string, FileAnalysis>();
  for (const [path, plainRole] of roles) {
    const text = files.get(path) ?? "";
    const sha = options.shas?.get(path) ?? sha1Hex(text);
    // Only a model whose Jinja can read the project's graph gets it (and its key): the others render the
    // same whatever the other models are, so adding a model does not re-analyse them.
    const readsGraph =
      plainRole.kind === "dbt" && (plainRole.macros ?? MacroLibrary.EMPTY).reachesWord(text, GRAPH_WORDS);
    const role: FileRole =
      readsGraph && plainRole.kind === "dbt" ? { ...plainRole, graph: graph() } : plainRole;
    const libraryKey = role.kind === "dbt" ? role.macros?.keyFor(text) : undefined;
    const graphKey = role.kind === "dbt" && role.graph ? `graph-${role.graph.key}` : "";
    const macroKey = [libraryKey, graphKey].filter(Boolean).join(":") || undefined;
    const rendered = role.kind === "plain" && hasJinja(text);
    const key = analysisKey({
      path,
      sha,
      dialect: config.dialect,
      role,
      ...(macroKey ? { macroKey } : {}),
      ...(rendered ? { rendered } : {}),
    });
    const cached = options.cache?.get(key);
    const analysis =
      cached && cached.version === ANALYSIS_VERSION && cached.path === path
        ? cached
        : analyzeFile({ path, text, dialect: config.dialect, role, key });
    analyses.set(key, analysis);
  }
  const linked = linkAnalyses([...analyses.values()], known);
  const dbtDiagnostics = projects.flatMap((p) => p.diagnostics);
  const catalogDiagnostics: Diagnostic[] = catalog?.problem
    ? [{ file: catalog.file, line: 1, severity: "warning", message: catalog.problem }]
    : [];
  return {
    graph: {
      ...linked,
      diagnostics: [...dbtDiagnostics, ...catalogDiagnostics, ...seedDiagnostics, ...linked.diagnostics],
    },
    analyses,
    dbtReads,
  };
}

/**
 * The repository's dbt graph (every project's models, seeds and sources, with declared columns), built on
 * first use: most builds have no model that reads it.
 */
function lazyGraph(
  files: RepoFiles,
  projects: readonly DbtProject[],
  roles: ReadonlyMap<string, FileRole>,
  known: readonly KnownTable[],
): () => DbtGraph {
  let built: DbtGraph | undefined;
  return () => {
    if (built) return built;
    const columns = new Map<string, readonly string[]>();
    for (const table of known) if (!columns.has(table.id)) columns.set(table.id, table.columns);
    const nodes: DbtGraphNode[] = [];
    for (const [path, role] of roles) {
      if (role.kind !== "dbt") continue;
      const name = role.modelName;
      nodes.push({
        resourceType: "model",
        name,
        packageName: role.project.name,
        identifier: name,
        columns: columns.get(name) ?? [],
        path,
      });
    }
    for (const project of projects) {
      const seedDirs = seedPathsOf(project);
      for (const path of files.keys()) {
        if (!isSeedFile(path, seedDirs)) continue;
        const name = seedNameOf(path);
        nodes.push({
          resourceType: "seed",
          name,
          packageName: project.name,
          identifier: name,
          columns: columns.get(name) ?? [],
          path,
        });
      }
      for (const s of project.sources) {
        nodes.push({
          resourceType: "source",
          name: s.tableName,
          sourceName: s.sourceName,
          packageName: project.name,
          identifier: s.identifier ?? s.tableName,
          ...(s.schema ? { schema: s.schema } : {}),
          ...(s.database ? { database: s.database } : {}),
          columns: s.columns.map((c) => c.name),
          path: s.file,
        });
      }
    }
    built = dbtGraphOf(nodes);
    return built;
  };
}

/** A project's macro library; reads cached before `macro-paths` existed default to `<root>/macros`. */
function projectMacros(
  project: DbtProject,
  files: RepoFiles,
  shas: ReadonlyMap<string, string> | undefined,
): MacroLibrary {
  const macroPaths = project.macroPaths ?? [project.root === "" ? "macros" : `${project.root}/macros`];
  return macroLibraryOf({ macroPaths, files, ...(shas ? { shas } : {}) });
}

/** Lineage of a repository in one call, without caching. */
export function lineageOf(files: RepoFiles, config: BackflowConfig): LineageGraph {
  return buildLineage(files, config).graph;
}
