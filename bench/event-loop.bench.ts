import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseConfig } from "../src/core/config/parse-config.js";
import { buildLineage } from "../src/core/lineage/build-lineage.js";
import { createAnalysisPool } from "../src/jobs/analysis-pool.js";
import type { Figure } from "./figure.js";
import { syntheticRepo } from "./synthetic-repo.js";

const MODELS = Number(process.env.BENCH_MODELS ?? 10_000);

const ms = (ns: number) => Math.round(ns / 1e5) / 10;

/** Max and p99 event-loop delay (perf_hooks) while `work` runs, with timer ticks either side. */
async function loopDelayDuring(
  work: () => Promise<unknown> | unknown,
): Promise<{ max: number; p99: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await work();
  await new Promise((resolve) => setTimeout(resolve, 50));
  histogram.disable();
  return { max: ms(histogram.max), p99: ms(histogram.percentile(99)) };
}

/**
 * Event-loop delay while a cold lineage of MODELS synthetic models is built: on the thread that also
 * serves HTTP (as the CLI still does), and through the analysis pool as the impact-check job does it
 * (the same impact analysis, base and head both cold). The max is how long a webhook or /healthz
 * could wait behind one build.
 */
export async function eventLoopBench(): Promise<Figure[]> {
  const config = parseConfig("dialect: postgres\n");
  const files = syntheticRepo(MODELS);
  buildLineage(syntheticRepo(50), config);
  const inline = await loopDelayDuring(() => buildLineage(files, config));
  const pool = createAnalysisPool({ size: 1 });
  await pool.warm();
  let poolMs = 0;
  const pooled = await loopDelayDuring(async () => {
    const started = performance.now();
    await pool.analyzeImpact({ base: { files }, head: { files }, config });
    poolMs = Math.round(performance.now() - started);
  });
  await pool.close();
  return [
    { name: `event_loop_delay_max_during_lineage_${MODELS}_models`, value: inline.max, unit: "ms" },
    { name: `event_loop_delay_p99_during_lineage_${MODELS}_models`, value: inline.p99, unit: "ms" },
    {
      name: `event_loop_delay_max_during_pooled_impact_${MODELS}_models`,
      value: pooled.max,
      unit: "ms (analysis on a worker thread)",
    },
    { name: `event_loop_delay_p99_during_pooled_impact_${MODELS}_models`, value: pooled.p99, unit: "ms" },
    { name: `pooled_impact_${MODELS}_models_ms`, value: poolMs, unit: "ms (wall, cold, incl. clone)" },
  ];
}
