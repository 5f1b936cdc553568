import { createHash } from "node:crypto";
import { parseConfig } from "../src/core/config/parse-config.js";
import { analyzeImpact } from "../src/core/impact/analyze-impact.js";
import { buildLineage } from "../src/core/lineage/build-lineage.js";
import type { FileAnalysis } from "../src/core/lineage/file-analysis.js";
import type { Figure } from "./figure.js";
import { syntheticRepo } from "./synthetic-repo.js";

const SIZES = [1_000, 10_000] as const;
const CHANGED = "models/staging/stg_0.sql";

function shasOf(files: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...files].map(([path, text]) => [path, createHash("sha1").update(text).digest("hex")]));
}

/**
 * A pull request that renames a column in one staging model, on a warm cache: every file's analysis
 * and dbt YAML read is cached, as it is after the app has seen the repository once, and every file
 * has its blob SHA (GitHub always gives one), so nothing is hashed. Times the whole impact pass, wall
 * clock and CPU (the wall time depends on the machine's load).
 */
async function impactAt(models: number): Promise<Figure[]> {
  const config = parseConfig("dialect: postgres\n");
  const base = syntheticRepo(models);
  const head = new Map(base);
  head.set(
    CHANGED,
    (base.get(CHANGED) ?? "").replace("    customer_id,\n", "    customer_id as customer_key,\n"),
  );
  const snapshots = { base: { files: base, shas: shasOf(base) }, head: { files: head, shas: shasOf(head) } };
  // Warm the cache the way the app does: the base was analysed before, then the pull request's one file.
  const built = buildLineage(base, config, { shas: snapshots.base.shas });
  const warm = analyzeImpact({
    ...snapshots,
    config,
    changedFiles: [CHANGED],
    cache: built.analyses,
    dbtCache: built.dbtReads,
  });
  const cache: ReadonlyMap<string, FileAnalysis> = warm.analyses;
  const dbtCache = warm.dbtReads;
  const runs: { wall: number; cpu: number }[] = [];
  let verdict = "";
  for (let i = 0; i < 5; i++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const { report } = analyzeImpact({ ...snapshots, config, changedFiles: [CHANGED], cache, dbtCache });
    const used = process.cpuUsage(cpu);
    runs.push({ wall: Number(process.hrtime.bigint() - start) / 1e6, cpu: (used.user + used.system) / 1e3 });
    verdict = report.verdict;
  }
  if (verdict !== "breaking" && verdict !== "non-breaking") throw new Error(`unexpected verdict ${verdict}`);
  const label = models >= 1000 ? `${models / 1000}k` : String(models);
  const median = (values: number[]) => Math.round([...values].sort((a, b) => a - b)[2] ?? 0);
  return [
    { name: `impact.one_file_pr_warm_${label}`, value: median(runs.map((r) => r.wall)), unit: "ms" },
    { name: `impact.one_file_pr_warm_${label}_cpu`, value: median(runs.map((r) => r.cpu)), unit: "ms" },
  ];
}

/** PR impact for a one-file change on the synthetic repository at 1k and 10k models, warm cache. */
export async function impactBench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const size of SIZES) figures.push(...(await impactAt(size)));
  return figures;
}
