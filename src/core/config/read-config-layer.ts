import { ConfigError } from "../errors.js";
import type { ConfigFileRef } from "./config-file-ref.js";
import { EXTENDS_KEY, parseYamlSafely } from "./parse-config.js";
import { resolveExtendsSpec } from "./resolve-extends-spec.js";

/** One file of a configuration: its keys (without `_extends`) and the base it extends, if any. */
export type ConfigLayer = {
  readonly file: ConfigFileRef;
  /** How messages name the file (see `describeConfigFile`). */
  readonly label: string;
  readonly value: Readonly<Record<string, unknown>>;
  /** The raw `_extends` value as written, for messages. */
  readonly extendsSpec?: string;
  readonly extends?: ConfigFileRef;
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses one configuration file into a layer. An empty file is an empty layer; a file whose top
 * level is not a mapping, or whose `_extends` is malformed, is a ConfigError naming `label`.
 * @example readConfigLayer("_extends: .github\ndialect: bigquery\n", ref, "app/.github/backflow.yml").extends
 */
export function readConfigLayer(text: string, file: ConfigFileRef, label: string): ConfigLayer {
  const raw = text.trim() === "" ? {} : (parseYamlSafely(text, label) ?? {});
  if (!isPlainObject(raw)) {
    const got = Array.isArray(raw) ? "a list" : `a ${typeof raw}`;
    throw new ConfigError(label, [
      { path: "", message: `the file must be a mapping of keys (such as \`dialect: bigquery\`), not ${got}` },
    ]);
  }
  const { [EXTENDS_KEY]: spec, ...value } = raw;
  if (!(EXTENDS_KEY in raw)) return { file, label, value };
  const resolved = resolveExtendsSpec(spec, file);
  if (!resolved.ok) throw new ConfigError(label, [{ path: EXTENDS_KEY, message: resolved.message }]);
  return { file, label, value, extendsSpec: String(spec).trim(), extends: resolved.ref };
}
