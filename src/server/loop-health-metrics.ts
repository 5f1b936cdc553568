import { canaryCauses } from "../core/review/build-review-report.js";
import {
  histogramOf,
  type LoopFacts,
  type LoopHealth,
  summarizeLoopHealth,
} from "../core/review/loop-health.js";
import type { Evaluation } from "../core/triage/evaluation-schema.js";
import type { Store } from "../store/store.js";
import type { MetricsRegistry } from "./metrics.js";

const READ_LIMIT = 100_000;

/** The stores the loop's health is read from. */
export type LoopHealthStores = Pick<Store, "audit" | "findings" | "expectations"> &
  Partial<Pick<Store, "canaries">>;

/** Reads every repository's loop facts (repositories are those the audit log names). */
export async function readLoopHealth(store: LoopHealthStores): Promise<LoopHealth> {
  const audit = await store.audit.list({ limit: READ_LIMIT });
  const repos = [...new Set(audit.flatMap((a) => (a.repo ? [a.repo] : [])))].sort();
  const facts: LoopFacts[] = [];
  for (const repo of repos) {
    const expectations = await store.expectations.list({ repo });
    const canaries = store.canaries ? await store.canaries.list({ repo }) : undefined;
    const history: Record<string, Evaluation[]> = {};
    // History is read only for findings with a recorded cause (time to detect needs it).
    const caused = [...expectations, ...canaryCauses(canaries ?? [])].map((x) => x.fingerprint);
    for (const fingerprint of new Set(caused))
      history[fingerprint] = await store.findings.evaluations({ repo, fingerprint, limit: READ_LIMIT });
    facts.push({
      findings: await store.findings.list({ repo, limit: READ_LIMIT }),
      audit: audit.filter((a) => a.repo === repo),
      expectations,
      history,
      ...(canaries ? { canaries } : {}),
    });
  }
  return summarizeLoopHealth(facts);
}

/**
 * Registers the loop's health on `registry`, read from the store at scrape time and cached for
 * `ttlMs` (default 60 s) so frequent scrapes do not re-read the store. Durations are exported as
 * histogram-shaped gauges (`_bucket{le}`, `_sum`, `_count`) that `histogram_quantile` reads.
 */
export function registerLoopHealth(
  registry: MetricsRegistry,
  read: () => Promise<LoopHealth>,
  options: { clock?: () => Date; ttlMs?: number } = {},
): void {
  const clock = options.clock ?? (() => new Date());
  const ttl = options.ttlMs ?? 60_000;
  let cached: { at: number; value: Promise<LoopHealth> } | null = null;
  const health = () => {
    const now = clock().getTime();
    if (!cached || now - cached.at >= ttl) cached = { at: now, value: read() };
    const value = cached.value;
    value.catch(() => {
      cached = null;
    });
    return value;
  };
  registry.gauge("backflow_loop_findings", "Findings in the store by state (open, resolved).", {
    labelNames: ["state"],
    collect: async () =>
      Object.entries((await health()).findingsByState).map(([state, value]) => ({
        labels: { state },
        value,
      })),
  });
  registry.gauge(
    "backflow_loop_expectations",
    "Expectations of merged pull requests by verdict (watching, met, violated, inconclusive).",
    {
      labelNames: ["verdict"],
      collect: async () =>
        Object.entries((await health()).expectationsByVerdict).map(([verdict, value]) => ({
          labels: { verdict },
          value,
        })),
    },
  );
  registry.gauge(
    "backflow_loop_canaries",
    "Post-merge canaries by outcome (watching, clean, regressed, no-signal).",
    {
      labelNames: ["outcome"],
      collect: async () =>
        Object.entries((await health()).canariesByOutcome).map(([outcome, value]) => ({
          labels: { outcome },
          value,
        })),
    },
  );
  const durations = [
    ["backflow_loop_time_to_resolve_seconds", "drift issue opened → resolved", "timeToResolveSeconds"],
    [
      "backflow_loop_time_to_detect_seconds",
      "causing merge (recorded expectation) → first breach",
      "timeToDetectSeconds",
    ],
  ] as const;
  for (const [name, what, key] of durations) {
    const hist = async () => histogramOf((await health())[key]);
    registry.gauge(`${name}_bucket`, `Cumulative count of ${what} durations at most le seconds.`, {
      labelNames: ["le"],
      collect: async () => (await hist()).buckets.map((b) => ({ labels: { le: b.le }, value: b.count })),
    });
    registry.gauge(`${name}_sum`, `Sum of ${what} durations in seconds.`, {
      collect: async () => (await hist()).sum,
    });
    registry.gauge(`${name}_count`, `Number of ${what} durations measured.`, {
      collect: async () => (await hist()).count,
    });
  }
}
