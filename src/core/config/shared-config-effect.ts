import { isDeepStrictEqual } from "node:util";
import { ConfigError, type ConfigProblem } from "../errors.js";
import { type ConfigFileRef, describeConfigFile, sameConfigFile } from "./config-file-ref.js";
import type { ConfigLayer } from "./read-config-layer.js";
import type { ConfigChain } from "./resolve-config-chain.js";
import type { BackflowConfig } from "./schema.js";
import { validateConfigLayers } from "./validate-config-layers.js";

/** How a change to a shared file changes one repository's effective configuration. */
export type ConfigEffect =
  | { readonly kind: "unchanged" }
  /** Valid before and after; `keys` are the settings whose value differs (`impact.breakingConclusion`). */
  | { readonly kind: "changes"; readonly keys: readonly string[] }
  | { readonly kind: "becomes-invalid"; readonly problems: readonly ConfigProblem[] }
  | { readonly kind: "stays-invalid"; readonly problems: readonly ConfigProblem[] }
  | { readonly kind: "becomes-valid" };

/** A file above the shared one in a repository's chain, as recorded at its last validation. */
export type RecordedLayer = {
  readonly file: ConfigFileRef;
  readonly value: Readonly<Record<string, unknown>>;
};

type Outcome = { ok: true; config: BackflowConfig } | { ok: false; problems: readonly ConfigProblem[] };

/**
 * The effect on one dependent repository of replacing a shared file's chain `before` with `after`:
 * the repository's own layers (`above`, every recorded layer above the shared file) are merged onto
 * each and validated. Messages name files `owner/repo:path`.
 * @example effectOnDependent({ above, before, after }).kind // "changes"
 */
export function effectOnDependent(input: {
  above: readonly RecordedLayer[];
  before: ConfigChain;
  after: ConfigChain;
}): ConfigEffect {
  const old = outcomeOf(input.above, input.before);
  const next = outcomeOf(input.above, input.after);
  if (!next.ok) {
    return old.ok
      ? { kind: "becomes-invalid", problems: next.problems }
      : { kind: "stays-invalid", problems: next.problems };
  }
  if (!old.ok) return { kind: "becomes-valid" };
  const keys = changedKeys(old.config, next.config);
  return keys.length === 0 ? { kind: "unchanged" } : { kind: "changes", keys };
}

/** The recorded layers above `shared` in a repository's chain (all of them when `shared` was not read). */
export function layersAbove(layers: readonly RecordedLayer[], shared: ConfigFileRef): RecordedLayer[] {
  const at = layers.findIndex((l) => sameConfigFile(l.file, shared));
  return [...(at < 0 ? layers : layers.slice(0, at))];
}

function outcomeOf(above: readonly RecordedLayer[], chain: ConfigChain): Outcome {
  if (!chain.ok) return { ok: false, problems: problemsOf(chain.error) };
  const loop = chain.layers.find((l) => above.some((a) => sameConfigFile(a.file, l.file)));
  if (loop) {
    const at = describeConfigFile(loop.file);
    return {
      ok: false,
      problems: [{ path: "_extends", file: at, message: `\`_extends\` would loop back to ${at}` }],
    };
  }
  const layers: ConfigLayer[] = [
    ...above.map((l) => ({ file: l.file, label: describeConfigFile(l.file), value: l.value })),
    ...chain.layers,
  ];
  try {
    return { ok: true, config: validateConfigLayers(layers) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, problems: problemsOf(error) };
    throw error;
  }
}

/** Every problem with its file spelt out (a ConfigError leaves the file out of its own file's problems). */
export function problemsOf(error: ConfigError): ConfigProblem[] {
  return error.problems.map((p) => ({ ...p, file: p.file ?? error.file }));
}

/** The settings that differ, one level into each section (`dialect`, `impact.breakingConclusion`). */
export function changedKeys(a: BackflowConfig, b: BackflowConfig): string[] {
  const out: string[] = [];
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    const x = left[key];
    const y = right[key];
    if (isDeepStrictEqual(x, y)) continue;
    if (isSection(x) && isSection(y)) {
      for (const sub of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (!isDeepStrictEqual(x[sub], y[sub])) out.push(`${key}.${sub}`);
      }
    } else out.push(key);
  }
  return out.sort();
}

function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
