import type { Signal } from "../../../src/core/signals/signal-schema.js";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";

/** A firing measurement signal; tests override what they are about. */
export function signal(over: Partial<Signal> = {}): Signal {
  return {
    id: "s-1",
    source: { kind: "backflow", name: "test" },
    observedAt: "2026-11-24T06:00:00.000Z",
    type: "metric_breach",
    status: "firing",
    severity: "warning",
    dataset: { name: "fct_revenue" },
    message: "test signal",
    ...over,
  };
}

/** A day-by-day history of values, all healthy unless listed in `breached`. */
export function history(
  metric: string,
  values: readonly number[],
  breached: readonly number[] = [],
): Evaluation[] {
  return values.map((value, i) => ({
    observedAt: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
    metric,
    value,
    breached: breached.includes(i),
    expected: false,
    severity: "warning",
    signalId: `h-${i}`,
  }));
}
