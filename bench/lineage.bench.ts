import { loadavg } from "node:os";
import { parseConfig } from "../src/core/config/parse-config.js";
import type { BackflowConfig } from "../src/core/config/schema.js";
import { type BuiltLineage, buildLineage } from "../src/core/lineage/build-lineage.js";
import { linkAnalyses } from "../src/core/lineage/link-analyses.js";
import { findDbtProjects } from "../src/core/sql/dbt/find-dbt-projects.js";
import { renderJinja } from "../src/core/sql/dbt/render-jinja.js";
import { parserDatabasesFor } from "../src/core/sql/dialects.js";
import { astifyOnly } from "../src/core/sql/parse-statement.js";
import type { Figure } from "./figure.js";
import { syntheticRepo } from "./synthetic-repo.js";

const MODELS = Number(process.env.BENCH_MODELS ?? 10_000);
const REBUILDS = 5;

/** Wall and CPU milliseconds of `run`; CPU time is the steadier figure on a loaded machine. */
function timed<T>(run: () => T): { result: T; wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = run();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { result, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** Raw node-sql-parser time over the same rendered files: the floor the lineage engine is compared to. */
function astifyBaseline(files: Map<string, string>): { wallMs: number; cpuMs: number } {
  astifyOnly("select a from t", parserDatabasesFor("postgres")[0] ?? "PostgresQL");
  const [project] = findDbtProjects(files);
  const database = parserDatabasesFor("postgres")[0] ?? "PostgresQL";
  const rendered = [...files]
    .filter(([path]) => path.endsWith(".sql"))
    .map(
      ([, text]) =>
        renderJinja(text, {
          ref: (m) => `"${m}"`,
          source: (s, t) => `"${s}"."${t}"`,
          vars: project?.vars ?? {},
          isIncremental: false,
          thisRelation: "this",
        }).sql,
    );
  return timed(() => {
    for (const sql of rendered) astifyOnly(sql, database);
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Rebuilds after editing one model each time (a different one per run), from the cold build's caches. */
function rebuilds(files: Map<string, string>, config: BackflowConfig, cold: BuiltLineage) {
  const wall: number[] = [];
  const cpu: number[] = [];
  const models = [...files.keys()].filter((p) => p.endsWith(".sql"));
  for (let i = 0; i < REBUILDS; i += 1) {
    const path = models[(i * 7919) % models.length] ?? "";
    const changed = new Map(files);
    changed.set(path, `${files.get(path) ?? ""}\n-- edited ${i}\n`);
    const run = timed(() => buildLineage(changed, config, { cache: cold.analyses, dbtCache: cold.dbtReads }));
    wall.push(run.wallMs);
    cpu.push(run.cpuMs);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

/**
 * Cold build, one-file rebuild with the caches (median of several), the link pass alone, peak RSS and
 * the ratio to raw astify at MODELS models. CPU figures sit next to wall figures: the machine may be shared.
 */
export async function lineageBench(): Promise<Figure[]> {
  const files = syntheticRepo(MODELS);
  const config = parseConfig("dialect: postgres\n");
  const label = MODELS === 10_000 ? "10k" : String(MODELS);
  // Warm both paths up first (V8 compiles each grammar lazily), so neither side pays it in the figures.
  buildLineage(syntheticRepo(50), config);
  const astify = astifyBaseline(files);
  const cold = timed(() => buildLineage(files, config));
  const tables = cold.result.graph.tables.length;
  const rebuild = rebuilds(files, config, cold.result);
  const link = timed(() => linkAnalyses([...cold.result.analyses.values()], []));
  return [
    { name: `lineage.cold_build_${label}`, value: round(cold.wallMs / 1000), unit: "s" },
    { name: `lineage.cold_build_cpu_${label}`, value: round(cold.cpuMs / 1000), unit: "s" },
    { name: `lineage.rebuild_one_file_${label}`, value: round(rebuild.wallMs), unit: "ms" },
    { name: `lineage.rebuild_one_file_cpu_${label}`, value: round(rebuild.cpuMs), unit: "ms" },
    { name: `lineage.link_pass_${label}`, value: round(link.wallMs), unit: "ms" },
    { name: `lineage.link_pass_cpu_${label}`, value: round(link.cpuMs), unit: "ms" },
    { name: `lineage.raw_astify_${label}`, value: round(astify.wallMs / 1000), unit: "s" },
    { name: `lineage.raw_astify_cpu_${label}`, value: round(astify.cpuMs / 1000), unit: "s" },
    { name: `lineage.cold_to_astify_ratio_${label}`, value: round(cold.wallMs / astify.wallMs), unit: "x" },
    { name: `lineage.cold_to_astify_cpu_ratio_${label}`, value: round(cold.cpuMs / astify.cpuMs), unit: "x" },
    { name: `lineage.tables_${label}`, value: tables, unit: "tables" },
    { name: "lineage.peak_rss", value: round(process.resourceUsage().maxRSS / 1024), unit: "MB" },
    { name: "lineage.load_average_1m", value: round(loadavg()[0] ?? 0), unit: "load" },
  ];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
