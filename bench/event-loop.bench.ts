import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseConfig } from "../src/core/config/parse-config.js";
import { buildLineage } from "../src/core/lineage/build-lineage.js";
import type { Figure } from "./figure.js";
import { syntheticRepo } from "./synthetic-repo.js";

const MODELS = Number(process.env.BENCH_MODELS ?? 10_000);

/**
 * Event-loop delay (perf_hooks) while a cold lineage of MODELS synthetic models is built the way a
 * job builds it today: on the thread that also serves HTTP. The max is how long a webhook or
 * /healthz could wait behind one build.
 */
export async function eventLoopBench(): Promise<Figure[]> {
  const config = parseConfig("dialect: postgres\n");
  const files = syntheticRepo(MODELS);
  buildLineage(syntheticRepo(50), config);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  // Let the monitor's timer tick before and after the build, as a server's loop would.
  await new Promise((resolve) => setTimeout(resolve, 50));
  buildLineage(files, config);
  await new Promise((resolve) => setTimeout(resolve, 50));
  histogram.disable();
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return [
    { name: `event_loop_delay_max_during_lineage_${MODELS}_models`, value: ms(histogram.max), unit: "ms" },
    {
      name: `event_loop_delay_p99_during_lineage_${MODELS}_models`,
      value: ms(histogram.percentile(99)),
      unit: "ms",
    },
  ];
}
