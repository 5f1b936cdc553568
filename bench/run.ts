/** `npm run bench`: runs every bench module and prints one JSON line per figure. */
import { eventLoopBench } from "./event-loop.bench.js";
import type { Figure } from "./figure.js";
import { hostileInputBench } from "./hostile-input.bench.js";
import { impactBench } from "./impact.bench.js";
import { instancesBench } from "./instances.bench.js";
import { intakeBench } from "./intake.bench.js";
import { lineageBench } from "./lineage.bench.js";
import { retentionBench } from "./retention.bench.js";
import { startupBench } from "./startup.bench.js";
import { webhookLatencyBench } from "./webhook-latency.bench.js";
import { workerBench } from "./worker.bench.js";

/** Every bench, in order; add one with a line. */
const BENCHES: ReadonlyArray<{ name: string; run: () => Promise<Figure[]> }> = [
  { name: "lineage", run: lineageBench },
  { name: "intake", run: () => intakeBench() },
  { name: "impact", run: impactBench },
  { name: "retention", run: retentionBench },
  { name: "startup", run: startupBench },
  { name: "worker", run: workerBench },
  { name: "event-loop", run: eventLoopBench },
  { name: "webhook-latency", run: webhookLatencyBench },
  { name: "hostile-input", run: hostileInputBench },
  { name: "instances", run: () => instancesBench() },
];

const only = process.argv[2];
for (const bench of BENCHES) {
  if (only && bench.name !== only) continue;
  for (const figure of await bench.run()) process.stdout.write(`${JSON.stringify(figure)}\n`);
}
