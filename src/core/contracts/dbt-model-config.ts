import { parseYamlSafely } from "../config/parse-config.js";
import type { RepoFiles } from "../repo-files.js";
import { isRecord } from "../sql/dbt/find-dbt-projects.js";

/** The model configs the contract lifecycle rules need. */
export type ModelConfig = { materialized?: string; enabled?: boolean };

/** A model's config from its own `{{ config(...) }}` and from its dbt_project.yml folder defaults. */
export type ModelConfigs = { readonly sql: ModelConfig; readonly project: ModelConfig };
export type ModelConfigLookup = (name: string) => ModelConfigs;

/** `materialized` and `enabled` from a model file's `{{ config(...) }}` calls (last one wins, as in dbt). */
export function sqlConfigOf(sql: string | undefined): ModelConfig {
  const found: ModelConfig = {};
  for (const call of (sql ?? "").matchAll(/\{\{-?\s*config\s*\(([\s\S]*?)\)\s*-?\}\}/g)) {
    const args = call[1] ?? "";
    const materialized = /\bmaterialized\s*=\s*["'](\w+)["']/.exec(args)?.[1];
    const enabled = /\benabled\s*=\s*(true|false)\b/i.exec(args)?.[1];
    if (materialized) found.materialized = materialized.toLowerCase();
    if (enabled) found.enabled = enabled.toLowerCase() === "true";
  }
  return found;
}

type Project = { dir: string; name: string; modelPaths: string[]; models: unknown };

function readProjects(files: RepoFiles): Project[] {
  const projects: Project[] = [];
  for (const [path, text] of files) {
    if (path !== "dbt_project.yml" && !path.endsWith("/dbt_project.yml")) continue;
    try {
      const raw = parseYamlSafely(text, path) as Record<string, unknown> | null;
      const declared = raw?.["model-paths"];
      projects.push({
        dir: path.slice(0, -"dbt_project.yml".length),
        name: typeof raw?.name === "string" ? raw.name : "",
        modelPaths: Array.isArray(declared)
          ? declared.filter((p): p is string => typeof p === "string")
          : ["models"],
        models: raw?.models,
      });
    } catch {
      // A broken dbt_project.yml is the lineage pass's to report.
    }
  }
  return projects;
}

/** Applies `+materialized` / `+enabled` (or the bare keys, when not a folder) of one dbt_project.yml node. */
function applyNode(node: unknown, into: ModelConfig): void {
  if (!isRecord(node)) return;
  for (const key of ["materialized", "enabled"] as const) {
    const value = node[`+${key}`] ?? (isRecord(node[key]) ? undefined : node[key]);
    if (key === "materialized" && typeof value === "string") into.materialized = value.toLowerCase();
    if (key === "enabled" && typeof value === "boolean") into.enabled = value;
  }
}

/** dbt_project.yml `models:` defaults for a model file: the project node, then each folder, then the model. */
function projectDefaults(projects: readonly Project[], path: string, name: string): ModelConfig {
  const config: ModelConfig = {};
  for (const project of projects) {
    for (const modelPath of project.modelPaths) {
      const root = `${project.dir}${modelPath.replace(/^\.\//, "").replace(/\/$/, "")}/`;
      if (!path.startsWith(root)) continue;
      let node = isRecord(project.models) ? project.models[project.name] : undefined;
      applyNode(node, config);
      for (const part of [...path.slice(root.length).split("/").slice(0, -1), name]) {
        node = isRecord(node) ? node[part] : undefined;
        applyNode(node, config);
      }
      return config;
    }
  }
  return config;
}

/**
 * Looks a model up by name (its SQL file's base name) on first use: its `config()` and its
 * dbt_project.yml folder defaults. dbt's precedence is config() > properties YAML > dbt_project.yml.
 */
export function modelConfigLookup(files: RepoFiles): ModelConfigLookup {
  let byName: Map<string, string> | undefined;
  let projects: Project[] | undefined;
  return (name) => {
    if (!byName) {
      byName = new Map();
      for (const path of files.keys()) {
        const base = /([^/]+)\.sql$/i.exec(path)?.[1];
        if (base && !byName.has(base.toLowerCase())) byName.set(base.toLowerCase(), path);
      }
    }
    projects ??= readProjects(files);
    const path = byName.get(name.toLowerCase());
    if (path === undefined) return { sql: {}, project: {} };
    return { sql: sqlConfigOf(files.get(path)), project: projectDefaults(projects, path, name) };
  };
}
