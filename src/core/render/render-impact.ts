import { ACKNOWLEDGE_ACTION, type Acknowledgement } from "../impact/decide-conclusion.js";
import type { Affected, ImpactReport } from "../impact/impact-report.js";
import { renderMermaid } from "../lineage/render-mermaid.js";
import type { LineageGraph } from "../lineage/schema.js";
import { codeBlock, codeSpan, escapeMarkdown } from "./escape-markdown.js";
import { capList, fitSections } from "./fit-to-limit.js";
import { type Cell, renderTable } from "./markdown-table.js";
import {
  type ExpectsBlockCheck,
  expectsTitlePrefix,
  renderExpectationsSection,
} from "./render-expectations-section.js";
import { type ImpactAnnotation, renderImpactAnnotations } from "./render-impact-annotations.js";

export type RenderedImpact = {
  readonly title: string;
  readonly summary: string;
  readonly annotations: ImpactAnnotation[];
};

export type RenderImpactOptions = {
  /** The head lineage graph, for the Mermaid picture; without it the picture is left out. */
  readonly graph?: LineageGraph;
  readonly acknowledgement?: Acknowledgement;
  /** Files present at head: annotations on other (deleted) files are left out. */
  readonly headPaths?: ReadonlySet<string>;
  /** Most tables in the Mermaid picture (default 25). */
  readonly maxNodes?: number;
  /** Most downstream entries listed per change (default 30). */
  readonly maxDownstream?: number;
  /** The pull request's `expects:` block checked against the head lineage; absent when it has none. */
  readonly expectations?: ExpectsBlockCheck;
};

const VERDICT_TEXT = {
  none: "no contract impact",
  "non-breaking": "non-breaking",
  breaking: "breaking",
} as const;

/** The check run's title, markdown summary (within GitHub's limit) and annotations for an impact report. */
export function renderImpact(report: ImpactReport, options: RenderImpactOptions = {}): RenderedImpact {
  const sections = [
    { text: verdictSection(report, options.acknowledgement), keep: true },
    { text: changesSection(report, options.maxDownstream ?? 30), keep: true },
    // Problems fail the check, so their explanation is never the section dropped for size.
    {
      text: renderExpectationsSection(options.expectations),
      keep: (options.expectations?.problems.length ?? 0) > 0,
    },
    { text: contractChangesSection(report) },
    { text: contractsSection(report) },
    { text: mermaidSection(report, options) },
    { text: diagnosticsSection(report) },
    { text: acknowledgeHint(report, options.acknowledgement) },
  ].filter((s) => s.text !== "");
  return {
    title: `${expectsTitlePrefix(options.expectations)}${titleOf(report, options.acknowledgement)}`,
    summary: fitSections(sections),
    annotations: renderImpactAnnotations(report, options.headPaths),
  };
}

function downstreamOf(report: ImpactReport, cause: string): Affected[] {
  return report.affected.filter((a) => !a.changed && a.causes.includes(cause));
}

function countModels(report: ImpactReport): number {
  return new Set(report.affected.filter((a) => !a.changed).map((a) => a.table)).size;
}

function titleOf(report: ImpactReport, ack?: Acknowledgement): string {
  const n = report.changes.length + report.rowLevel.length + report.contractChanges.length;
  const reach = `${countModels(report)} downstream model(s), ${report.contracts.length} contract(s)`;
  if (report.verdict === "none") return "No contract impact";
  if (report.verdict === "non-breaking") return `Non-breaking: ${n} change(s); ${reach} affected`;
  if (ack) return `Breaking change acknowledged by ${ack.by}`;
  const tail = report.blocking ? "owner acknowledgement needed" : "reported as a warning";
  return `Breaking: ${reach} affected; ${tail}`;
}

function verdictSection(report: ImpactReport, ack?: Acknowledgement): string {
  const lines = [
    `**Verdict: ${VERDICT_TEXT[report.verdict]}**${report.blocking && !ack ? " (blocking)" : ""}`,
    "",
  ];
  lines.push(...capList(report.reasons, 20, (r) => `- ${escapeMarkdown(r)}`, "more reasons"));
  if (ack) lines.push("", `Acknowledged by ${codeSpan(ack.by)} at ${ack.at} for this impact.`);
  return lines.join("\n");
}

const CHANGE_HEADERS = ["Change", "Class", "Downstream", "Contracts", "Owners"] as const;
/** Room for the changes table; the rest of the summary keeps the remainder of GitHub's limit. */
const CHANGES_BUDGET = 40_000;

type ChangeRow = { id: string; what: string; where: string; cls: string };

function changeCells(report: ImpactReport, row: ChangeRow, maxDownstream: number): Cell[] {
  const reached = downstreamOf(report, row.id);
  const mine = report.affected.filter((a) => a.causes.includes(row.id));
  const downstream = capList(reached, maxDownstream, (a) =>
    codeSpan(a.column ? `${a.table}.${a.column}` : `${a.table} (rows)`),
  );
  const contracts = [...new Set(mine.flatMap((a) => a.contracts))];
  const owners = [...new Set(mine.flatMap((a) => a.owners))];
  return [
    { md: `${escapeMarkdown(row.what)}<br>${codeSpan(row.where)}` },
    { md: row.cls },
    { md: downstream.join(", ") || "_nothing reads it_" },
    { md: contracts.map(codeSpan).join(", ") || "—" },
    { md: owners.map(codeSpan).join(", ") || "—" },
  ];
}

function changesSection(report: ImpactReport, maxDownstream: number): string {
  const rows: ChangeRow[] = [
    ...report.changes.map((c) => ({ id: c.id, what: c.message, where: `${c.file}:${c.line}`, cls: c.class })),
    ...report.rowLevel.map((r) => ({
      id: r.id,
      what: r.message,
      where: `${r.file}:${r.line}`,
      cls: "non-breaking",
    })),
  ];
  if (rows.length === 0) return "";
  const kept: Cell[][] = [];
  let size = 0;
  for (const row of rows) {
    const cells = changeCells(report, row, maxDownstream);
    size += (renderTable(CHANGE_HEADERS, [cells]).split("\n").pop() ?? "").length + 1;
    if (size > CHANGES_BUDGET && kept.length > 0) break;
    kept.push(cells);
  }
  const left = rows.length - kept.length;
  const more = left > 0 ? `\n\n_…and ${left} more change(s), each annotated on its line._` : "";
  return `### Changes in this pull request\n\n${renderTable(CHANGE_HEADERS, kept)}${more}`;
}

function contractChangesSection(report: ImpactReport): string {
  if (report.contractChanges.length === 0) return "";
  const table = renderTable(
    ["Contract", "Change", "Class", "Where"],
    report.contractChanges.map((c) => [
      { md: codeSpan(c.contractId) },
      c.message,
      { md: c.class },
      { md: codeSpan(`${c.file}:${c.line ?? 1}`) },
    ]),
  );
  return `### Contract changes\n\n${table}`;
}

function contractsSection(report: ImpactReport): string {
  if (report.contracts.length === 0) return "";
  const table = renderTable(
    ["Contract", "File", "Tables", "Owners"],
    report.contracts.map((c) => [
      { md: `${codeSpan(c.id)}${c.version ? ` v${escapeMarkdown(c.version)}` : ""}` },
      { md: codeSpan(c.file) },
      { md: c.tables.map(codeSpan).join(", ") },
      { md: c.owners.map(codeSpan).join(", ") || "—" },
    ]),
  );
  return `### Affected contracts\n\n${table}`;
}

function mermaidSection(report: ImpactReport, options: RenderImpactOptions): string {
  if (!options.graph || report.affected.length === 0) return "";
  const tables = new Set(report.affected.map((a) => a.table));
  const changed = report.affected
    .filter((a) => a.changed)
    .map((a) => (a.column ? `${a.table}.${a.column}` : a.table));
  // Only the affected subgraph: the picture should not wander into unrelated upstream tables.
  const subgraph: LineageGraph = {
    ...options.graph,
    tables: options.graph.tables
      .filter((t) => tables.has(t.id))
      .map((t) => ({ ...t, upstream: t.upstream.filter((u) => tables.has(u)) })),
  };
  // Affected columns are listed in their table's node; tables reached only as a whole stay bare.
  const focus = [...tables, ...report.affected.flatMap((a) => (a.column ? [`${a.table}.${a.column}`] : []))];
  const chart = renderMermaid(subgraph, { focus, highlight: changed, maxNodes: options.maxNodes ?? 25 });
  return `### Lineage\n\n${codeBlock(chart, "mermaid")}`;
}

function diagnosticsSection(report: ImpactReport): string {
  if (report.diagnostics.length === 0) return "";
  const items = capList(
    report.diagnostics,
    30,
    (d) => `- ${codeSpan(`${d.file}:${d.line}`)} ${escapeMarkdown(d.message)}`,
    "more diagnostics",
  );
  return `### Diagnostics\n\n${items.join("\n")}`;
}

function acknowledgeHint(report: ImpactReport, ack?: Acknowledgement): string {
  if (report.verdict !== "breaking" || !report.blocking || ack) return "";
  return `_An owner of an affected contract, or a repository maintainer, can press **${ACKNOWLEDGE_ACTION.label}** above to accept this impact for this pull request. A push that changes the impact asks again._`;
}
