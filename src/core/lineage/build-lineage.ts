import { createHash } from "node:crypto";
import picomatch from "picomatch";
import type { BackflowConfig } from "../config/schema.js";
import type { RepoFiles } from "../repo-files.js";
import { type DbtProject, findDbtProjects, modelNameOf } from "../sql/dbt/find-dbt-projects.js";
import { analyzeFile, type FileRole } from "./analyze-file.js";
import { ANALYSIS_VERSION, type FileAnalysis } from "./file-analysis.js";
import { type KnownTable, linkAnalyses } from "./link-analyses.js";
import type { LineageGraph } from "./schema.js";

export type BuildLineageOptions = {
  /** path → Git blob SHA; files without one are keyed by a hash of their content. */
  readonly shas?: ReadonlyMap<string, string>;
  /** Analyses from an earlier run, by cache key (see `analysisKey`). */
  readonly cache?: ReadonlyMap<string, FileAnalysis>;
  /** Table id → column names known from contracts, used to expand `*` and resolve columns. */
  readonly knownColumns?: ReadonlyMap<string, readonly string[]>;
};

function baseName(path: string): string {
  const file = path.slice(path.lastIndexOf("/") + 1);
  return file.replace(/\.sql$/i, "").toLowerCase();
}

function rolesOf(
  files: RepoFiles,
  config: BackflowConfig,
  projects: readonly DbtProject[],
): Map<string, FileRole> {
  const include = picomatch(config.models.paths, { dot: true });
  const exclude =
    config.models.exclude.length > 0 ? picomatch(config.models.exclude, { dot: true }) : () => false;
  const roles = new Map<string, FileRole>();
  for (const path of [...files.keys()].sort()) {
    if (!/\.sql$/i.test(path) || exclude(path)) continue;
    const project = projects.find((p) => modelNameOf(p, path) !== null);
    const modelName = project ? modelNameOf(project, path) : null;
    if (project && modelName) roles.set(path, { kind: "dbt", modelName: modelName.toLowerCase(), project });
    else if (include(path)) roles.set(path, { kind: "plain", modelName: baseName(path) });
  }
  return roles;
}

/** Cache key of one file's analysis: its content, how it is read, and the analysis version. */
export function analysisKey(args: { path: string; sha: string; dialect: string; role: FileRole }): string {
  const { role } = args;
  const context =
    role.kind === "dbt"
      ? `dbt:${role.modelName}:${JSON.stringify(role.project.vars)}`
      : `plain:${role.modelName}`;
  return createHash("sha1")
    .update(`${ANALYSIS_VERSION}\u0000${args.path}\u0000${args.dialect}\u0000${context}\u0000${args.sha}`)
    .digest("hex");
}

function knownTables(
  projects: readonly DbtProject[],
  knownColumns: BuildLineageOptions["knownColumns"],
): KnownTable[] {
  const fromDbt = projects.flatMap((p) =>
    p.sources.map((s) => ({
      id: `${s.sourceName}.${s.tableName}`.toLowerCase(),
      columns: s.columns.map((c) => c.name),
      file: s.file,
      line: s.line,
    })),
  );
  const fromContracts = [...(knownColumns ?? new Map<string, readonly string[]>()).entries()].map(
    ([id, columns]) => ({ id, columns }),
  );
  return [...fromContracts, ...fromDbt];
}

/**
 * Builds column-level lineage for a repository: dbt models (rendered first) and plain SQL files matched
 * by `config.models`. Each file is analysed on its own and cached by key; the cross-file pass links them.
 */
export function buildLineage(
  files: RepoFiles,
  config: BackflowConfig,
  options: BuildLineageOptions = {},
): { graph: LineageGraph; analyses: Map<string, FileAnalysis> } {
  const projects = findDbtProjects(files);
  const analyses = new Map<string, FileAnalysis>();
  for (const [path, role] of rolesOf(files, config, projects)) {
    const text = files.get(path) ?? "";
    const sha = options.shas?.get(path) ?? createHash("sha1").update(text).digest("hex");
    const key = analysisKey({ path, sha, dialect: config.dialect, role });
    const cached = options.cache?.get(key);
    const analysis =
      cached && cached.version === ANALYSIS_VERSION && cached.path === path
        ? cached
        : analyzeFile({ path, text, dialect: config.dialect, role, key });
    analyses.set(key, analysis);
  }
  const graph = linkAnalyses([...analyses.values()], knownTables(projects, options.knownColumns));
  const dbtDiagnostics = projects.flatMap((p) => p.diagnostics);
  return { graph: { ...graph, diagnostics: [...dbtDiagnostics, ...graph.diagnostics] }, analyses };
}

/** Lineage of a repository in one call, without caching. */
export function lineageOf(files: RepoFiles, config: BackflowConfig): LineageGraph {
  return buildLineage(files, config).graph;
}
