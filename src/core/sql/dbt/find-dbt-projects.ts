/** Finds dbt projects in a repository tree: their name, model paths, vars and declared sources. */
import { sha1Hex } from "../sha1-hex.js";
import { parseYamlFile, readSources } from "./read-sources.js";

export type DbtSourceTable = {
  sourceName: string;
  tableName: string;
  identifier?: string;
  database?: string;
  schema?: string;
  columns: Array<{ name: string; dataType?: string }>;
  file: string;
  line: number;
};

export type DbtDiagnostic = { file: string; line: number; severity: "warning" | "error"; message: string };

export type DbtProject = {
  /** "" for the repository root, else "path/to/dir". */
  root: string;
  name: string;
  /** Relative to the repository root, e.g. "models" or "transform/models". */
  modelPaths: string[];
  /** Relative to the repository root (`macro-paths`, default ["macros"]): pass their .sql texts as `macroSources`. */
  macroPaths?: string[];
  /** Relative to the repository root (`seed-paths`, older `data-paths`, default ["seeds"]): the seed CSVs. */
  seedPaths?: string[];
  vars: Record<string, unknown>;
  sources: DbtSourceTable[];
  diagnostics: DbtDiagnostic[];
};

/**
 * What one YAML file contributed, reusable while the file is unchanged: a project's settings, or the
 * source tables of a properties file, each with the diagnostics reading it produced.
 */
export type DbtYamlRead =
  | { readonly kind: "project"; readonly project: Omit<DbtProject, "sources"> }
  | { readonly kind: "sources"; readonly tables: DbtSourceTable[]; readonly diagnostics: DbtDiagnostic[] }
  /** The `models:` entries of a properties file that list columns (lower-case model name, column names). */
  | {
      readonly kind: "models";
      readonly models: ReadonlyArray<{ readonly name: string; readonly columns: readonly string[] }>;
    };

export type FindDbtProjectsOptions = {
  /** Reads from an earlier run, by key (path and content hash, or Git blob SHA when `shas` has one). */
  readonly cache?: ReadonlyMap<string, DbtYamlRead>;
  /** Receives every read this run used, to pass as `cache` next time. */
  readonly used?: Map<string, DbtYamlRead>;
  /** path → Git blob SHA, so unchanged files are not even hashed. */
  readonly shas?: ReadonlyMap<string, string>;
};

/** Installed packages are dependencies, not the repository's own pipeline. */
export const PACKAGE_DIRS: ReadonlySet<string> = new Set([
  "dbt_packages",
  "dbt_modules",
  "node_modules",
  "target",
]);
const MAX_YAML_CHARS = 2_000_000;

/**
 * Every `dbt_project.yml` in `files` (path → content) is a project; sources come from the `.yml`/`.yaml`
 * files under its model paths. Broken YAML becomes a diagnostic, never an exception.
 */
export function findDbtProjects(
  files: ReadonlyMap<string, string>,
  options: FindDbtProjectsOptions = {},
): DbtProject[] {
  const projects: DbtProject[] = [];
  for (const [path, content] of files) {
    if (!path.endsWith("dbt_project.yml")) continue;
    const parts = path.split("/");
    if (parts.at(-1) !== "dbt_project.yml" || parts.some((p) => PACKAGE_DIRS.has(p))) continue;
    const read = cachedRead(options, "project", path, content, () => ({
      kind: "project",
      project: readProject(parts.slice(0, -1).join("/"), path, content),
    }));
    if (read.kind !== "project") continue;
    projects.push({ ...read.project, sources: [], diagnostics: [...read.project.diagnostics] });
  }
  projects.sort((a, b) => a.root.localeCompare(b.root));
  for (const project of projects) collectSources(project, files, options);
  return projects;
}

/** One file's read, from `options.cache` when its key is there, recorded in `options.used`. */
/** One YAML read, taken from `options.cache` when the file is unchanged and recorded in `options.used`. */
export function cachedRead(
  options: FindDbtProjectsOptions,
  kind: DbtYamlRead["kind"],
  path: string,
  content: string,
  read: () => DbtYamlRead,
): DbtYamlRead {
  if (!options.cache && !options.used) return read();
  const sha = options.shas?.get(path) ?? sha1Hex(content);
  const key = `${kind}\u0000${path}\u0000${sha}`;
  const value = options.cache?.get(key) ?? read();
  options.used?.set(key, value);
  return value;
}

/** Model name of a file path inside a project ("models/marts/fct_orders.sql" → "fct_orders"), or null. */
export function modelNameOf(project: DbtProject, path: string): string | null {
  if (!path.endsWith(".sql")) return null;
  const inside = project.modelPaths.some((dir) => dir === "" || path.startsWith(`${dir}/`));
  if (!inside) return null;
  const base = path.slice(path.lastIndexOf("/") + 1, -".sql".length);
  return base.length > 0 ? base : null;
}

function readProject(root: string, file: string, content: string): DbtProject {
  const diagnostics: DbtDiagnostic[] = [];
  const fallbackName = root.split("/").at(-1) || "dbt_project";
  const data = parseYaml(file, content, diagnostics);
  const record = isRecord(data) ? data : {};
  let name = record.name;
  if (typeof name !== "string" || name.trim() === "") {
    diagnostics.push({
      file,
      line: 1,
      severity: "warning",
      message: `${file} has no "name:"; using "${fallbackName}"`,
    });
    name = fallbackName;
  }
  const projectName = String(name);
  const modelPaths = readModelPaths(record, file, diagnostics).map((dir) => joinPath(root, dir));
  const rawMacroPaths = record["macro-paths"];
  const macroPaths = (
    Array.isArray(rawMacroPaths) && rawMacroPaths.every((p) => typeof p === "string")
      ? rawMacroPaths
      : ["macros"]
  ).map((dir) => joinPath(root, dir));
  const rawSeedPaths = record["seed-paths"] ?? record["data-paths"];
  const seedPaths = (
    Array.isArray(rawSeedPaths) && rawSeedPaths.every((p) => typeof p === "string") ? rawSeedPaths : ["seeds"]
  ).map((dir) => joinPath(root, dir));
  return {
    root,
    name: projectName,
    modelPaths,
    macroPaths,
    seedPaths,
    vars: flattenVars(record.vars, projectName),
    sources: [],
    diagnostics,
  };
}

function readModelPaths(
  record: Record<string, unknown>,
  file: string,
  diagnostics: DbtDiagnostic[],
): string[] {
  const raw = record["model-paths"] ?? record["source-paths"];
  if (raw === undefined || raw === null) return ["models"];
  if (Array.isArray(raw) && raw.every((p) => typeof p === "string") && raw.length > 0) return raw;
  diagnostics.push({
    file,
    line: 1,
    severity: "warning",
    message: `${file}: "model-paths" must be a list of folders, e.g. ["models"]; using ["models"]`,
  });
  return ["models"];
}

/** Global vars plus the vars scoped to this project (`vars: {my_project: {x: 1}}`), the scoped ones winning. */
function flattenVars(raw: unknown, projectName: string): Record<string, unknown> {
  if (!isRecord(raw)) return {};
  const vars: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (key !== projectName) vars[key] = value;
  const scoped = raw[projectName];
  if (isRecord(scoped)) Object.assign(vars, scoped);
  return vars;
}

function collectSources(
  project: DbtProject,
  files: ReadonlyMap<string, string>,
  options: FindDbtProjectsOptions,
): void {
  for (const [path, content] of files) {
    if (!/\.ya?ml$/.test(path) || !/^\s*sources\s*:/m.test(content)) continue;
    if (!project.modelPaths.some((dir) => dir === "" || path.startsWith(`${dir}/`))) continue;
    if (path.split("/").some((p) => PACKAGE_DIRS.has(p))) continue;
    if (content.length > MAX_YAML_CHARS) {
      project.diagnostics.push({
        file: path,
        line: 1,
        severity: "warning",
        message: `${path} is too large to read`,
      });
      continue;
    }
    const read = cachedRead(options, "sources", path, content, () => {
      const diagnostics: DbtDiagnostic[] = [];
      const found = readSources(parseYamlFile(path, content, diagnostics), path);
      return { kind: "sources", tables: found.tables, diagnostics: [...diagnostics, ...found.diagnostics] };
    });
    if (read.kind !== "sources") continue;
    project.sources.push(...read.tables);
    project.diagnostics.push(...read.diagnostics);
  }
}

function parseYaml(file: string, content: string, diagnostics: DbtDiagnostic[]): unknown {
  if (content.length > MAX_YAML_CHARS) {
    diagnostics.push({ file, line: 1, severity: "error", message: `${file} is too large to read` });
    return {};
  }
  const { doc } = parseYamlFile(file, content, diagnostics);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    diagnostics.push({ file, line: 1, severity: "error", message: `${file}: ${firstLine(reason)}` });
    return {};
  }
}

function joinPath(root: string, dir: string): string {
  const parts = [...root.split("/"), ...dir.split("/")].filter((p) => p !== "" && p !== ".");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
