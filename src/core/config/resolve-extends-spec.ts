import type { ConfigFileRef } from "./config-file-ref.js";
import { CONFIG_PATH } from "./schema.js";

/** `[owner/]repo[:path.yml]`, as Probot's `_extends` takes it (owner: a GitHub login; path: a YAML file). */
const EXTENDS_SPEC =
  /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.a-z\d]{1,100})(?::([-_./a-z\d]+\.ya?ml))?$/i;

export type ResolvedExtends =
  | { readonly ok: true; readonly ref: ConfigFileRef }
  | { readonly ok: false; readonly message: string };

const FORMS =
  "use `repo`, `owner/repo` or `owner/repo:path/to/file.yml` (e.g. `_extends: .github` for the organisation's .github repository)";

/**
 * Where an `_extends` value points, read as Probot reads it: the owner defaults to the owner of the
 * file that says it, the path to `.github/backflow.yml` (Probot's rule: the same path as the
 * repository's own file, not the path of the extending file).
 * @example resolveExtendsSpec("acme/.github", from).ref // { owner: "acme", repo: ".github", path: ".github/backflow.yml" }
 */
export function resolveExtendsSpec(value: unknown, from: Pick<ConfigFileRef, "owner">): ResolvedExtends {
  if (typeof value !== "string") {
    return {
      ok: false,
      message: `must be a string naming a repository, not ${describeValue(value)}; ${FORMS}`,
    };
  }
  const spec = value.trim();
  const match = EXTENDS_SPEC.exec(spec);
  if (!match) return { ok: false, message: `"${value}" is not a repository or file; ${FORMS}` };
  const [, owner, repo = "", path] = match;
  if (repo === "." || repo === "..")
    return { ok: false, message: `"${value}" names no repository; ${FORMS}` };
  if (path !== undefined && (path.startsWith("/") || path.split("/").some((s) => s === "" || s === ".."))) {
    return {
      ok: false,
      message: `"${value}": the path must be relative to the repository's root, without empty or ".." parts`,
    };
  }
  return { ok: true, ref: { owner: owner ?? from.owner, repo, path: path ?? CONFIG_PATH } };
}

function describeValue(value: unknown): string {
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list (one base per file: chain them, each file extending the next)";
  return `a ${typeof value}`;
}
