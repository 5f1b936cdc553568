import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Folders that hold installed packages, build output or Git internals, never the user's models. */
const SKIP_DIRS = new Set(["node_modules", ".git", "target", "dbt_packages", "dbt_modules"]);
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The files Backflow reads from a pipeline repository: SQL, YAML and CODEOWNERS. */
export function isPipelineFile(name: string): boolean {
  return /\.(sql|ya?ml)$/i.test(name) || name === "CODEOWNERS";
}

/**
 * Reads a local checkout the way the app reads a Git tree: the files Backflow looks at (`accept`,
 * default SQL, YAML and CODEOWNERS) keyed by POSIX path relative to `root`, skipping installed
 * packages and files over 2 MiB.
 */
export function readLocalRepo(
  root: string,
  accept: (name: string) => boolean = isPipelineFile,
): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(full);
      } else if (entry.isFile() && accept(entry.name) && statSync(full).size <= MAX_FILE_BYTES) {
        files.set(relative(root, full).split(sep).join("/"), readFileSync(full, "utf8"));
      }
    }
  };
  walk(root);
  return files;
}
