import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "../errors.js";
import { type MergedConfig, mergeConfigLayers, originOf } from "./merge-config-layers.js";
import { describeZodIssues } from "./parse-config.js";
import type { ConfigLayer } from "./read-config-layer.js";
import { type BackflowConfig, ConfigSchema } from "./schema.js";

/**
 * Merges the layers of a configuration (`layers[0]` on top) and validates the result. Every problem
 * names the file whose key caused it (`problem.file`, left out when that is the top file), so an
 * organisation's mistake is not reported as the repository's. Throws ConfigError named after the
 * top file; no layers means all defaults.
 * @example validateConfigLayers([own, orgDefaults]).dialect
 */
export function validateConfigLayers(layers: readonly ConfigLayer[]): BackflowConfig {
  const merged = mergeConfigLayers(layers.map((l) => l.value));
  const result = ConfigSchema.safeParse(merged.value);
  if (result.success) return result.data;
  const topLabel = layers[0]?.label ?? "configuration";
  const problems = result.error.issues.flatMap((issue) => attribute(issue, merged, layers, topLabel));
  throw new ConfigError(topLabel, problems);
}

/** The issue's problem(s) with their file; unknown keys set by several files give one problem per file. */
function attribute(
  issue: z.core.$ZodIssue,
  merged: MergedConfig,
  layers: readonly ConfigLayer[],
  topLabel: string,
): ConfigProblem[] {
  const withFile = (problem: ConfigProblem, layer: number | undefined): ConfigProblem => {
    const label = layers[layer ?? 0]?.label ?? topLabel;
    return label === topLabel ? problem : { ...problem, file: label };
  };
  // zod's paths may hold symbols in theory; a configuration's keys are strings and list positions.
  const path = issue.path.map((k) => (typeof k === "symbol" ? String(k) : k));
  if (issue.code !== "unrecognized_keys") {
    const [problem] = describeZodIssues([issue]);
    return problem ? [withFile(problem, originOf(merged, path))] : [];
  }
  const byLayer = new Map<number | undefined, string[]>();
  for (const key of issue.keys) {
    const layer = originOf(merged, [...path, key]);
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), key]);
  }
  return [...byLayer].flatMap(([layer, keys]) =>
    describeZodIssues([{ ...issue, keys }]).map((p) => withFile(p, layer)),
  );
}
