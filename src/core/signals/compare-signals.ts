import type { Signal } from "./signal-schema.js";

/** How a signal sent again under a known id differs from the stored one. */
export type SignalDifference = {
  /** What was observed differs (value, status, time…): the id was reused for another observation. */
  readonly observation: readonly string[];
  /** Only where it points differs (dataset, column, check): e.g. a manifest now names the model. */
  readonly mapping: readonly string[];
};

const show = (value: unknown): string => (value === undefined ? "(none)" : JSON.stringify(value));

function compare(
  fields: ReadonlyArray<readonly [string, (s: Signal) => unknown]>,
  stored: Signal,
  sent: Signal,
): string[] {
  const out: string[] = [];
  for (const [name, read] of fields) {
    const a = show(read(stored));
    const b = show(read(sent));
    if (a !== b) out.push(`${name}: stored ${a.slice(0, 200)}, sent ${b.slice(0, 200)}`);
  }
  return out;
}

const OBSERVATION: ReadonlyArray<readonly [string, (s: Signal) => unknown]> = [
  ["type", (s) => s.type],
  ["status", (s) => s.status],
  ["severity", (s) => s.severity],
  ["observedAt", (s) => Date.parse(s.observedAt)],
  ["measurement.value", (s) => s.measurement?.value],
  ["measurement.unit", (s) => s.measurement?.unit],
  ["measurement.failingRows", (s) => s.measurement?.failingRows],
  ["measurement.threshold", (s) => s.measurement?.threshold],
  ["schemaChange", (s) => s.schemaChange],
];

const MAPPING: ReadonlyArray<readonly [string, (s: Signal) => unknown]> = [
  ["dataset", (s) => s.dataset],
  ["column", (s) => s.column],
  ["check", (s) => s.check],
  ["measurement.metric", (s) => s.measurement?.metric],
  ["measurement.kind", (s) => s.measurement?.kind],
];

/**
 * Compares a signal sent again under a known id with the stored one, field by field. Arrival time,
 * the raw copy and the message are not compared; everything observed is, and so is where it points.
 *
 * @example compareSignals(stored, sent).observation // ["measurement.value: stored 0.93, sent 0.5"]
 */
export function compareSignals(stored: Signal, sent: Signal): SignalDifference {
  return { observation: compare(OBSERVATION, stored, sent), mapping: compare(MAPPING, stored, sent) };
}
