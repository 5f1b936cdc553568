import { isDeepStrictEqual } from "node:util";
import { isPlainObject } from "./read-config-layer.js";

/** A key path into a configuration value: object keys as strings, list positions as numbers (as zod reports them). */
export type ConfigPath = readonly (string | number)[];

/** The merged value, and for each path set by some layer the index of the top-most layer that set it. */
export type MergedConfig = {
  readonly value: Record<string, unknown>;
  readonly origins: ReadonlyMap<string, number>;
};

const keyOf = (path: ConfigPath) => JSON.stringify(path);

/**
 * Merges configuration layers as Probot's `context.config` does (deepmerge): mappings merge key by
 * key, lists concatenate (the base's items first), anything else is replaced by the upper layer.
 * One departure: a list item equal to one already there is not repeated, so a repository that
 * restates an organisation's threshold does not get it twice. `layers[0]` is the top (the
 * repository's own file); the last is the deepest base.
 * @example mergeConfigLayers([{ a: { b: 1 } }, { a: { c: 2 } }]).value // { a: { b: 1, c: 2 } }
 */
export function mergeConfigLayers(layers: readonly Readonly<Record<string, unknown>>[]): MergedConfig {
  const origins = new Map<string, number>();
  let value: Record<string, unknown> = {};
  for (let index = layers.length - 1; index >= 0; index--) {
    value = mergeValue(value, layers[index], index, [], origins) as Record<string, unknown>;
  }
  return { value, origins };
}

function mergeValue(
  base: unknown,
  top: unknown,
  layer: number,
  path: ConfigPath,
  origins: Map<string, number>,
): unknown {
  if (isPlainObject(base) && isPlainObject(top)) {
    origins.set(keyOf(path), layer);
    const out: Record<string, unknown> = { ...base };
    for (const [key, item] of Object.entries(top)) {
      out[key] = mergeValue(base[key], item, layer, [...path, key], origins);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(top)) {
    origins.set(keyOf(path), layer);
    const out = [...base];
    for (const item of top) {
      if (out.some((existing) => isDeepStrictEqual(existing, item))) continue;
      markSubtree(item, layer, [...path, out.length], origins);
      out.push(item);
    }
    return out;
  }
  clearSubtree(path, origins);
  markSubtree(top, layer, path, origins);
  return top;
}

function markSubtree(value: unknown, layer: number, path: ConfigPath, origins: Map<string, number>): void {
  origins.set(keyOf(path), layer);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) markSubtree(item, layer, [...path, i], origins);
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) markSubtree(item, layer, [...path, key], origins);
  }
}

/** Forgets the origins under `path` (a replaced value's old children must not blame a lower layer). */
function clearSubtree(path: ConfigPath, origins: Map<string, number>): void {
  const prefix = keyOf(path).slice(0, -1);
  for (const key of [...origins.keys()]) {
    if (key.startsWith(prefix) && key.length > prefix.length) origins.delete(key);
  }
}

/**
 * The layer to blame for a problem at `path`: the top-most layer that set the longest prefix of it
 * (a problem in a list item blames the layer that added the item; a missing key, the layer that
 * wrote its mapping, and in the end the top layer). `undefined` only when there are no layers.
 */
export function originOf(merged: MergedConfig, path: ConfigPath): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const layer = merged.origins.get(keyOf(path.slice(0, n)));
    if (layer !== undefined) return layer;
  }
  return undefined;
}
