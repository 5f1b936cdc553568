import { parseConfig } from "../core/config/parse-config.js";
import type { BackflowConfig } from "../core/config/schema.js";

/**
 * What the CLI says when a checkout's config extends another file: the base lives on GitHub, which
 * the CLI does not read, so the file is used alone rather than failing the command.
 */
export function unresolvedExtendsWarning(path: string, spec: string): string {
  return `${path}: \`_extends: ${spec}\` is not resolved locally; using this file alone (the Backflow app merges it with its base on GitHub)`;
}

/**
 * The config of a local checkout: `text` (undefined: no file, the defaults) validated on its own,
 * with `_extends` reported through `warn` and otherwise ignored.
 * @example parseLocalConfig(files.get(CONFIG_PATH), CONFIG_PATH, (m) => io.err(`${m}\n`))
 */
export function parseLocalConfig(
  text: string | undefined,
  path: string,
  warn?: (message: string) => void,
): BackflowConfig {
  return parseConfig(text, path, { onExtends: (spec) => warn?.(unresolvedExtendsWarning(path, spec)) });
}
