import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { CONFIG_PATH, DialectSchema } from "../../core/config/schema.js";
import { knownColumnsFromContracts } from "../../core/contracts/check-sql-against-contract.js";
import { loadContracts } from "../../core/contracts/load-contracts.js";
import { buildLineage } from "../../core/lineage/build-lineage.js";
import { renderLineageText } from "../../core/lineage/render-lineage-text.js";
import { renderMermaid } from "../../core/lineage/render-mermaid.js";
import { LineageGraphSchema } from "../../core/lineage/schema.js";
import { type TraceHop, traceDownstream, traceUpstream } from "../../core/lineage/trace.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";
import { parseLocalConfig } from "../local-config.js";
import { readLocalRepo } from "../read-local-repo.js";

/** `--catalog` (from the working directory) or `lineage.catalog` (from the repository root), read from disk. */
function catalogInput(flag: unknown, root: string, configured: string | undefined, cwd: string) {
  const path =
    typeof flag === "string" ? resolve(cwd, flag) : configured ? resolve(root, configured) : undefined;
  if (path === undefined || (typeof flag !== "string" && !existsSync(path))) return {};
  if (!existsSync(path)) throw new UsageError(`--catalog: ${path} does not exist`);
  return {
    catalog: {
      path: typeof flag === "string" ? path : (configured as string),
      text: readFileSync(path, "utf8"),
    },
  };
}

function formatPath(path: readonly TraceHop[]): string {
  return path
    .map((h) => `${h.table}.${h.column}${h.file ? ` (${h.transform}, ${h.file}:${h.line ?? 1})` : ""}`)
    .join(" <- ");
}

/** `backflow lineage`: the column-level lineage of a directory, as text, JSON, Mermaid or one column's traces. */
export async function runLineage({ values, positionals }: CommandArgs, io: CliIO): Promise<ExitCode> {
  if (positionals.length > 1) throw new UsageError(`expected at most one directory`);
  if (values.json && values.mermaid) throw new UsageError("--json and --mermaid cannot be combined");
  const root = resolve(io.cwd, positionals[0] ?? ".");
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`${root} is not a directory`);
  // The config comes from the same reader as the models, so a link out of the repository is skipped too.
  const warn = (message: string) => io.err(`backflow lineage: ${message}\n`);
  const files = readLocalRepo(root, { warn });
  const config = parseLocalConfig(files.get(CONFIG_PATH), CONFIG_PATH, warn);
  if (values.dialect !== undefined) {
    const dialect = DialectSchema.safeParse(values.dialect);
    if (!dialect.success)
      throw new UsageError(`--dialect must be one of ${DialectSchema.options.join(", ")}`);
    config.dialect = dialect.data;
  }
  const { graph } = buildLineage(files, config, {
    knownColumns: knownColumnsFromContracts(loadContracts(files, config).contracts),
    ...catalogInput(values.catalog, root, config.lineage.catalog, io.cwd),
  });
  const column = typeof values.column === "string" ? values.column.toLowerCase() : undefined;
  if (column !== undefined) {
    if (!column.includes(".")) throw new UsageError("--column takes table.column, e.g. fct_orders.amount");
    const up = traceUpstream(graph, column);
    const down = traceDownstream(graph, column);
    io.out(`upstream of ${column}:\n${up.map((p) => `  ${formatPath(p)}\n`).join("") || "  (none)\n"}`);
    io.out(
      `downstream of ${column}:\n${down.map((p) => `  ${formatPath([...p].reverse())}\n`).join("") || "  (none)\n"}`,
    );
    return EXIT.ok;
  }
  if (values.json) io.out(`${JSON.stringify(LineageGraphSchema.parse(graph), null, 2)}\n`);
  else if (values.mermaid) io.out(`${renderMermaid(graph, { focus: graph.tables.map((t) => t.id) })}\n`);
  else io.out(renderLineageText(graph));
  return EXIT.ok;
}
