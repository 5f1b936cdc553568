import type { Freshness, Sla } from "./contract.js";
import { type ContractChange, makeChange } from "./contract-change.js";
import type { DiffContext } from "./diff-context.js";

const UNITS: readonly (readonly [RegExp, number])[] = [
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(h|hrs?|hours?)$/, 3_600],
  [/^(d|days?)$/, 86_400],
  [/^(w|weeks?)$/, 604_800],
  [/^(mo|months?)$/, 2_592_000],
  [/^(y|yrs?|years?)$/, 31_536_000],
];

/** Seconds for `4 h`, `30 minutes`, `1 day`…; undefined for units Backflow does not know. */
export function durationSeconds(value: number, unit: string): number | undefined {
  const u = unit.trim().toLowerCase();
  const match = UNITS.find(([pattern]) => pattern.test(u));
  return match ? value * match[1] : undefined;
}

/** Seconds of an ISO 8601 duration (`P1Y`, `PT25H`, DCS retention) or of `25h` / `30 days`. */
export function parseDuration(text: string): number | undefined {
  const iso =
    /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
      text.trim(),
    );
  if (iso && text.trim().length > 1) {
    const [y, mo, w, d, h, mi, s] = iso.slice(1).map((p) => Number(p ?? 0));
    return (
      (y ?? 0) * 31_536_000 +
      (mo ?? 0) * 2_592_000 +
      (w ?? 0) * 604_800 +
      (d ?? 0) * 86_400 +
      (h ?? 0) * 3_600 +
      (mi ?? 0) * 60 +
      (s ?? 0)
    );
  }
  const plain = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  return plain ? durationSeconds(Number(plain[1]), plain[2] ?? "") : undefined;
}

/** Which way is stronger for a service level: more availability and retention, less delay between runs. */
const STRONGER: Record<string, "higher" | "lower"> = {
  availability: "higher",
  retention: "higher",
  throughput: "higher",
  frequency: "lower",
  errorrate: "lower",
};
const DURATIONS = new Set(["retention", "frequency"]);

/** A comparable magnitude of an SLA value: seconds for durations, a number otherwise (`99.9%` → 99.9). */
function magnitude(sla: Sla): number | undefined {
  if (sla.value === "unlimited") return Number.POSITIVE_INFINITY;
  if (DURATIONS.has(sla.property)) {
    if (typeof sla.value === "number") return sla.unit ? durationSeconds(sla.value, sla.unit) : undefined;
    return parseDuration(sla.unit ? `${sla.value} ${sla.unit}` : sla.value) ?? parseDuration(sla.value);
  }
  if (typeof sla.value === "number") return sla.value;
  const n = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(sla.value);
  return n ? Number(n[1]) : undefined;
}

const show = (sla: Sla) => `${sla.value}${sla.unit ? ` ${sla.unit}` : ""}`;

/**
 * Availability, retention, frequency, throughput and error-rate SLAs (ODCS slaProperties, DCS
 * servicelevels). A weaker or removed one is breaking for consumers; a stronger or new one binds the producer.
 */
export function diffSlas(
  before: readonly Sla[] = [],
  after: readonly Sla[] = [],
  ctx: DiffContext,
  datasetLine: number,
): ContractChange[] {
  const changes: ContractChange[] = [];
  const next = new Map(after.map((s) => [s.property, s]));
  const prev = new Map(before.map((s) => [s.property, s]));
  for (const [property, a] of prev) {
    const b = next.get(property);
    if (!b) {
      changes.push(
        makeChange("sla_removed", {
          ...ctx,
          before: show(a),
          line: datasetLine,
          message: `${property} SLA (${show(a)}) was removed: consumers lose that guarantee`,
        }),
      );
      continue;
    }
    const [x, y] = [magnitude(a), magnitude(b)];
    if (x !== undefined && x === y) continue;
    if (x === undefined || y === undefined) {
      if (show(a) === show(b)) continue;
      changes.push(
        makeChange("sla_changed", {
          ...ctx,
          before: show(a),
          after: show(b),
          line: b.line,
          message: `${property} SLA changed from ${show(a)} to ${show(b)} (values not understood)`,
        }),
      );
      continue;
    }
    const stronger = STRONGER[property] === "higher" ? y > x : y < x;
    changes.push(
      makeChange(stronger ? "sla_strengthened" : "sla_weakened", {
        ...ctx,
        before: show(a),
        after: show(b),
        line: b.line,
        message: stronger
          ? `${property} SLA strengthened from ${show(a)} to ${show(b)}: a new obligation for the producer`
          : `${property} SLA weakened from ${show(a)} to ${show(b)}: consumers get less than they were promised`,
      }),
    );
  }
  for (const [property, b] of next) {
    if (prev.has(property)) continue;
    changes.push(
      makeChange("sla_added", {
        ...ctx,
        after: show(b),
        line: b.line,
        message: `${property} SLA ${show(b)} was added: a new obligation for the producer`,
      }),
    );
  }
  return changes;
}

/** The freshness (ODCS latency) SLA: a longer delay or none is breaking for consumers. */
export function diffFreshness(
  a: Freshness | undefined,
  b: Freshness | undefined,
  ctx: DiffContext,
  datasetLine: number,
): ContractChange[] {
  const showF = (f: Freshness) => `${f.value} ${f.unit}`;
  if (!a && !b) return [];
  if (a && !b)
    return [
      makeChange("freshness_removed", {
        ...ctx,
        before: showF(a),
        message: `freshness SLA (${showF(a)}) was removed`,
        line: datasetLine,
      }),
    ];
  if (!a && b)
    return [
      makeChange("freshness_added", {
        ...ctx,
        after: showF(b),
        message: `freshness SLA ${showF(b)} was added: a new obligation for the producer`,
        line: b.line,
      }),
    ];
  if (!a || !b) return [];
  const before = durationSeconds(a.value, a.unit);
  const after = durationSeconds(b.value, b.unit);
  if (before !== undefined && before === after) return [];
  const fields = { ...ctx, before: showF(a), after: showF(b), line: b.line };
  if (before === undefined || after === undefined) {
    return [
      makeChange("freshness_changed", {
        ...fields,
        message: `freshness SLA changed from ${showF(a)} to ${showF(b)} (unit not understood)`,
      }),
    ];
  }
  return after > before
    ? [
        makeChange("freshness_loosened", {
          ...fields,
          message: `freshness SLA loosened from ${showF(a)} to ${showF(b)}: data may now arrive later than consumers expect`,
        }),
      ]
    : [
        makeChange("freshness_tightened", {
          ...fields,
          message: `freshness SLA tightened from ${showF(a)} to ${showF(b)}: a new obligation for the producer`,
        }),
      ];
}
