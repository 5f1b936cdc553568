import { parseConfig } from "../core/config/parse-config.js";
import { type BackflowConfig, CONFIG_PATH } from "../core/config/schema.js";
import { ConfigError } from "../core/errors.js";
import type { RepoReader } from "./repo-reader.js";

export type RepoConfigResult =
  | { readonly ok: true; readonly config: BackflowConfig; readonly source: "file" | "defaults" }
  | { readonly ok: false; readonly error: ConfigError };

/**
 * Reads `.github/backflow.yml` at `ref` and validates it. A missing file means the defaults; an
 * invalid one is returned (never thrown) so handlers can report it. Network errors still throw.
 * @example const result = await loadRepoConfig({ reader, ref: pr.head.sha })
 */
export async function loadRepoConfig(input: {
  reader: Pick<RepoReader, "readFile">;
  /** A branch, tag or commit SHA; the default branch when omitted. */
  ref?: string;
}): Promise<RepoConfigResult> {
  const text = await input.reader.readFile(CONFIG_PATH, input.ref);
  try {
    return {
      ok: true,
      config: parseConfig(text ?? undefined, CONFIG_PATH),
      source: text === null ? "defaults" : "file",
    };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error };
    throw error;
  }
}
