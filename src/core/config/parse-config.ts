import { parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "../errors.js";
import { type BackflowConfig, CONFIG_PATH, ConfigSchema } from "./schema.js";

/** YAML that Backflow reads from a repository is small; anything larger is refused rather than parsed. */
export const MAX_YAML_BYTES = 512 * 1024;

/**
 * Parses YAML text with limits that make it safe on untrusted input (size, alias expansion).
 * Returns the plain value, or throws ConfigError listing every syntax problem with its line.
 */
export function parseYamlSafely(text: string, file: string): unknown {
  if (Buffer.byteLength(text, "utf8") > MAX_YAML_BYTES) {
    throw new ConfigError(file, [{ path: "", message: `file is larger than ${MAX_YAML_BYTES} bytes` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}` : "",
        message: e.message.split("\n")[0] ?? e.message,
      })),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml package throws a ReferenceError when alias expansion exceeds the limit (an "alias bomb").
    throw new ConfigError(file, [
      { path: "", message: `${(error as Error).message}; remove the YAML aliases` },
    ]);
  }
}

/** Turns zod issues into one line each: the dotted key path and what is allowed there. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return {
        path,
        message: `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}; check the spelling`,
      };
    }
    if (issue.code === "invalid_value" && "values" in issue) {
      const allowed = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
      // A schema's own explanation (not zod's "Invalid option…") says why, so it is kept.
      const why = issue.message.startsWith("Invalid option") ? "" : ` — ${issue.message}`;
      return { path, message: `${allowed}${why}` };
    }
    return { path, message: issue.message };
  });
}

/** The key that names a configuration's base, as Probot spells it (see `resolveConfigChain`). */
export const EXTENDS_KEY = "_extends";

/**
 * Validates `.github/backflow.yml` on its own. An empty or missing file means "all defaults".
 * `_extends` names a file on GitHub, which only the app's loader reads (`loadRepoConfig`): here it is
 * handed to `onExtends` (the CLI warns and uses the file alone) and is a ConfigError without one, so
 * no caller silently drops an organisation's settings.
 *
 * @example parseConfig("dialect: bigquery\n").dialect // "bigquery"
 */
export function parseConfig(
  text: string | undefined,
  file = CONFIG_PATH,
  options: { onExtends?: (spec: string) => void } = {},
): BackflowConfig {
  let raw = text === undefined || text.trim() === "" ? {} : parseYamlSafely(text, file);
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && EXTENDS_KEY in raw) {
    const { [EXTENDS_KEY]: spec, ...rest } = raw as Record<string, unknown>;
    if (!options.onExtends) {
      throw new ConfigError(file, [
        {
          path: EXTENDS_KEY,
          message:
            "is resolved only by the Backflow app, which reads the base from GitHub; this reader takes a single file",
        },
      ]);
    }
    options.onExtends(typeof spec === "string" ? spec : JSON.stringify(spec));
    raw = rest;
  }
  const result = ConfigSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(file, describeZodIssues(result.error.issues));
  return result.data;
}
