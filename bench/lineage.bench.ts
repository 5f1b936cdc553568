import { parseConfig } from "../src/core/config/parse-config.js";
import { buildLineage } from "../src/core/lineage/build-lineage.js";
import { findDbtProjects } from "../src/core/sql/dbt/find-dbt-projects.js";
import { renderJinja } from "../src/core/sql/dbt/render-jinja.js";
import { parserDatabasesFor } from "../src/core/sql/dialects.js";
import { astifyOnly } from "../src/core/sql/parse-statement.js";
import type { Figure } from "./figure.js";
import { syntheticRepo } from "./synthetic-repo.js";

const MODELS = Number(process.env.BENCH_MODELS ?? 10_000);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Raw node-sql-parser time over the same rendered files: the floor the lineage engine is compared to. */
function astifyBaseline(files: Map<string, string>): number {
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
  const start = process.hrtime.bigint();
  for (const sql of rendered) astifyOnly(sql, database);
  return seconds(start);
}

/** Cold build, one-file rebuild with the analyses cache, peak RSS and the ratio to raw astify at MODELS models. */
export async function lineageBench(): Promise<Figure[]> {
  const files = syntheticRepo(MODELS);
  const config = parseConfig("dialect: postgres\n");
  const label = MODELS === 10_000 ? "10k" : String(MODELS);
  // Warm both paths up first (V8 compiles each grammar lazily), so neither side pays it in the figures.
  buildLineage(syntheticRepo(50), config);
  const astifySeconds = astifyBaseline(files);
  let start = process.hrtime.bigint();
  const cold = buildLineage(files, config);
  const coldSeconds = seconds(start);
  const tables = cold.graph.tables.length;
  const changed = new Map(files);
  const path = "models/marts/mart_0.sql";
  changed.set(path, `${files.get(path) ?? ""}\n-- edited\n`);
  start = process.hrtime.bigint();
  buildLineage(changed, config, { cache: cold.analyses });
  const rebuildMs = seconds(start) * 1000;
  return [
    { name: `lineage.cold_build_${label}`, value: round(coldSeconds), unit: "s" },
    { name: `lineage.rebuild_one_file_${label}`, value: round(rebuildMs), unit: "ms" },
    { name: `lineage.raw_astify_${label}`, value: round(astifySeconds), unit: "s" },
    { name: `lineage.cold_to_astify_ratio_${label}`, value: round(coldSeconds / astifySeconds), unit: "x" },
    { name: `lineage.tables_${label}`, value: tables, unit: "tables" },
    { name: "lineage.peak_rss", value: round(process.resourceUsage().maxRSS / 1024), unit: "MB" },
  ];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
