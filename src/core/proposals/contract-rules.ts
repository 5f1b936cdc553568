import { type Document, isMap, isScalar, isSeq, type YAMLMap } from "yaml";

/** A YAML key path. */
export type YamlPath = ReadonlyArray<string | number>;

function nameOf(node: unknown): string | undefined {
  if (!isMap(node)) return undefined;
  const name = node.get("name");
  return typeof name === "string" ? name.toLowerCase() : undefined;
}

/** Index of the item of the sequence at `path` whose `name` is `name` (case-insensitive). */
export function indexByName(doc: Document, path: YamlPath, name: string): number | undefined {
  const seq = doc.getIn(path, true);
  if (!isSeq(seq)) return undefined;
  const index = seq.items.findIndex((item) => nameOf(item) === name.toLowerCase());
  return index === -1 ? undefined : index;
}

/** Appends `value` to the sequence at `path`, creating the sequence when missing. */
export function appendTo(doc: Document, path: YamlPath, value: unknown): void {
  const seq = doc.getIn(path, true);
  if (isSeq(seq)) seq.items.push(doc.createNode(value));
  else doc.setIn(path, doc.createNode([value]));
}

/** Removes the items of the sequence at `path` that `drop` selects; returns how many. */
export function removeFrom(doc: Document, path: YamlPath, drop: (item: unknown) => boolean): number {
  const seq = doc.getIn(path, true);
  if (!isSeq(seq)) return 0;
  const before = seq.items.length;
  seq.items = seq.items.filter((item) => !drop(item));
  // An emptied list is removed rather than left as `key: []`.
  if (seq.items.length === 0 && before > 0) doc.deleteIn(path);
  return before - seq.items.length;
}

/** Sets a scalar, keeping its quoting style when it exists. */
export function setScalar(doc: Document, path: YamlPath, value: string | number | boolean): void {
  const node = doc.getIn(path, true);
  if (isScalar(node)) node.value = value;
  else doc.setIn(path, value);
}

/** The plain JS value of a map item's key, for matching rules (`metric`, `property`, test names). */
export function field(item: unknown, key: string): unknown {
  return isMap(item) ? (item as YAMLMap).get(key) : undefined;
}

/** A dbt data test's name: `not_null` or `{ accepted_values: {...} }`. */
export function testName(item: unknown): string | undefined {
  if (isScalar(item)) return String(item.value);
  if (isMap(item)) {
    const first = item.items[0]?.key;
    return isScalar(first) ? String(first.value) : undefined;
  }
  return undefined;
}

/** Next version: minor bump for a non-breaking change, major for a breaking one (minor for 0.x). */
export function bumpVersion(version: string, breaking: boolean): string | undefined {
  const m = /^(v?)(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(version.trim());
  if (!m) return undefined;
  const [, prefix, majorText, minorText] = m;
  const major = Number(majorText);
  const minor = Number(minorText);
  if (breaking) return major === 0 ? `${prefix}0.${minor + 1}.0` : `${prefix}${major + 1}.0.0`;
  return `${prefix}${major}.${minor + 1}.0`;
}
