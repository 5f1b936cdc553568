import type { CanaryReport, CanarySeries } from "../../core/canary/decide-canary.js";
import { decideCanary } from "../../core/canary/decide-canary.js";
import type { BackflowConfig } from "../../core/config/schema.js";
import type { Annotation } from "../../core/triage/annotations.js";
import type { CanaryRecord, Store } from "../../store/store.js";

/** History points read per series: enough for the baseline before the merge and the whole window. */
const POINTS = 1000;

/** Annotations active at any of `times`, each once (the store answers "active at one instant"). */
async function annotationsAt(
  store: Pick<Store, "annotations">,
  repo: string,
  times: readonly string[],
): Promise<Annotation[]> {
  const byId = new Map<string, Annotation>();
  for (const at of [...new Set(times)])
    for (const a of await store.annotations.listActive({ repo, at: new Date(at) })) byId.set(a.id, a);
  return [...byId.values()];
}

/**
 * The canary's report from the store: each known series' history (findings' evaluations), the
 * annotations active at its points after the merge, judged by decideCanary at `now` over the window
 * the canary was recorded with (a config turned `off` since then still lets a running canary end).
 */
export async function readCanaryReport(input: {
  store: Pick<Store, "findings" | "annotations">;
  canary: CanaryRecord;
  config: BackflowConfig;
  now: Date;
}): Promise<CanaryReport> {
  const { store, canary } = input;
  const series: CanarySeries[] = [];
  for (const ref of canary.series) {
    const points = (
      await store.findings.evaluations({ repo: canary.repo, fingerprint: ref.fingerprint, limit: POINTS })
    ).filter((p) => p.metric === ref.metric);
    const unit = points.find((p) => p.unit !== undefined)?.unit;
    series.push({
      tableId: ref.tableId,
      ...(ref.column ? { column: ref.column } : {}),
      metric: ref.metric,
      kind: ref.kind,
      ...(unit ? { unit } : {}),
      points,
    });
  }
  const merged = canary.mergedAt.getTime();
  const after = series.flatMap((s) =>
    s.points.filter((p) => Date.parse(p.observedAt) >= merged).map((p) => p.observedAt),
  );
  // The window the canary was recorded with, whatever the config says now.
  const windowMinutes = Math.max(1, Math.round((canary.windowEnds.getTime() - merged) / 60_000));
  const quiet = input.config.canary !== "off" && input.config.canary.quiet;
  return decideCanary({
    repo: canary.repo,
    watched: canary.watched,
    mergedAt: canary.mergedAt,
    now: input.now,
    config: { ...input.config, canary: { window: `${windowMinutes}m`, quiet } },
    series,
    annotations: await annotationsAt(store, canary.repo, after),
  });
}
