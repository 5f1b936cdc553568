import { ACKNOWLEDGE_ACTION, type Acknowledgement } from "../impact/decide-conclusion.js";
import type { ImpactReport } from "../impact/impact-report.js";
import { mermaidLegend, renderMermaid, stylesIn } from "../lineage/render-mermaid.js";
import type { LineageGraph } from "../lineage/schema.js";
import { codeBlock, codeSpan, escapeMarkdown } from "./escape-markdown.js";
import { andMore, capInline, capList, fitSections, GITHUB_TEXT_LIMIT, plural } from "./fit-to-limit.js";
import { groupImpactRoots, type ImpactChange, type ImpactRoot, impactChanges } from "./group-impact-roots.js";
import { type Cell, renderTable } from "./markdown-table.js";
import {
  type ExpectsBlockCheck,
  expectsTitlePrefix,
  renderExpectationsSection,
} from "./render-expectations-section.js";
import { type ImpactAnnotation, renderImpactAnnotations } from "./render-impact-annotations.js";
import {
  renderSharedConfigSection,
  type SharedConfigImpact,
  sharedConfigTitlePrefix,
} from "./render-shared-config-section.js";

export type RenderedImpact = {
  readonly title: string;
  /** The check run's summary: the scoreboard, the root causes, then details within GitHub's limit. */
  readonly summary: string;
  /** The check run's `text` (its own 65,535-character budget): every change, contract and diagnostic. */
  readonly text: string;
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
  /** Most downstream entries named per change (default 5; the rest are counted). */
  readonly maxDownstream?: number;
  /** The pull request's `expects:` block checked against the head lineage; absent when it has none. */
  readonly expectations?: ExpectsBlockCheck;
  /** The shared configuration files the pull request changes and the repositories they reach; absent when none. */
  readonly sharedConfig?: SharedConfigImpact;
  /** The command that shows the whole report locally, e.g. `backflow impact --base main`. */
  readonly commandLine?: string;
  /** Whether a `text` field accompanies the summary (the check run has one; the CLI prints all). */
  readonly hasText?: boolean;
};

const VERDICT_TEXT = {
  none: "No contract impact",
  "non-breaking": "Non-breaking",
  breaking: "Breaking",
} as const;

const MAX_ROOTS = 5;
const MAX_REASONS = 10;
const MAX_REASON_CHARS = 300;
const SUMMARY_ROWS = 30;
/** Room for the changes table; the other sections keep the rest of GitHub's limit. */
const CHANGES_BUDGET = 40_000;
const DEFAULT_COMMAND = "backflow impact --base <base branch>";

/** The check run's title, markdown summary and text (each within GitHub's limit) and annotations. */
export function renderImpact(report: ImpactReport, options: RenderImpactOptions = {}): RenderedImpact {
  const roots = groupImpactRoots(report);
  const ordered = roots.flatMap((r) => [r.change, ...r.followers]);
  const where = whereToSeeAll(options);
  const sections = [
    { text: headSection(report, roots, options), keep: true },
    { text: acknowledgeHint(report, options.acknowledgement), keep: true },
    {
      text: renderExpectationsSection(options.expectations),
      keep: (options.expectations?.problems.length ?? 0) > 0,
      name: "Expectations",
    },
    { text: renderSharedConfigSection(options.sharedConfig), keep: true, name: "Shared configuration" },
    { text: changesSection(ordered, SUMMARY_ROWS, options, where), name: "Changes" },
    { text: contractChangesSection(report, SUMMARY_ROWS), name: "Contract changes" },
    { text: contractsSection(report, SUMMARY_ROWS), name: "Affected contracts" },
    { text: mermaidSection(report, ordered, options), name: "Lineage" },
    { text: reasonsSection(report, MAX_REASONS), name: "Reasons" },
    { text: diagnosticsSection(report, 30), name: "Diagnostics" },
  ].filter((s) => s.text !== "");
  const full = [
    { text: changesSection(ordered, Number.POSITIVE_INFINITY, options, ""), name: "Changes" },
    { text: contractChangesSection(report, Number.POSITIVE_INFINITY), name: "Contract changes" },
    { text: contractsSection(report, Number.POSITIVE_INFINITY), name: "Affected contracts" },
    { text: reasonsSection(report, Number.POSITIVE_INFINITY), name: "Reasons" },
    { text: diagnosticsSection(report, Number.POSITIVE_INFINITY), name: "Diagnostics" },
  ].filter((s) => s.text !== "");
  return {
    title: `${sharedConfigTitlePrefix(options.sharedConfig)}${expectsTitlePrefix(options.expectations)}${titleOf(report, options.acknowledgement)}`,
    summary: fitSections(sections, GITHUB_TEXT_LIMIT, where),
    text: fitSections(full, GITHUB_TEXT_LIMIT, localHint(options)),
    annotations: renderImpactAnnotations(report, options.headPaths),
  };
}

function localHint(options: RenderImpactOptions): string {
  return `Run ${codeSpan(options.commandLine ?? DEFAULT_COMMAND)} in a checkout to see everything.`;
}

function whereToSeeAll(options: RenderImpactOptions): string {
  const text = options.hasText ? "The full lists are in this check run's details below. " : "";
  return `${text}${localHint(options)}`;
}

/** Tables a change reaches beyond its own: downstream models, whether this pull request changed them or not. */
function countModels(report: ImpactReport): number {
  return new Set(impactChanges(report).flatMap((c) => [...c.models])).size;
}

/** Owners of the affected contracts (one list per contract), or of affected tables when none has one. */
function ownersReached(report: ImpactReport): Set<string> {
  const fromContracts = report.contracts.flatMap((c) => c.owners);
  return new Set(fromContracts.length > 0 ? fromContracts : report.affected.flatMap((a) => a.owners));
}

function titleOf(report: ImpactReport, ack?: Acknowledgement): string {
  const n = report.changes.length + report.rowLevel.length + report.contractChanges.length;
  const models = countModels(report);
  const reach = [
    models > 0 ? plural(models, "downstream model") : "",
    report.contracts.length > 0 ? plural(report.contracts.length, "contract") : "",
  ].filter(Boolean);
  if (report.verdict === "none") return "No contract impact";
  if (report.verdict === "non-breaking")
    return `Non-breaking: ${plural(n, "change")}${reach.length > 0 ? `; ${reach.join(" and ")} affected` : ""}`;
  if (ack) return `Breaking change acknowledged by ${ack.by}`;
  const tail = report.blocking ? "owner acknowledgement needed" : "reported as a warning";
  return `Breaking: ${reach.length > 0 ? `${reach.join(" and ")} affected` : plural(n, "change")}; ${tail}`;
}

/** The first lines: a one-line scoreboard, then the root causes, broadest first. */
function headSection(
  report: ImpactReport,
  roots: readonly ImpactRoot[],
  options: RenderImpactOptions,
): string {
  const ack = options.acknowledgement;
  const n = report.changes.length + report.rowLevel.length;
  const owners = ownersReached(report);
  const score = [
    `**${VERDICT_TEXT[report.verdict]}**${report.blocking && !ack ? " (blocking)" : ""}`,
    `${plural(n, "change")} from ${plural(roots.length, "root cause")}`,
    plural(countModels(report), "downstream model"),
    plural(report.contracts.length, "contract"),
    plural(owners.size, "owner"),
  ];
  if (report.contractChanges.length > 0) score.push(plural(report.contractChanges.length, "contract change"));
  const lines = [score.join(" · ")];
  if (ack) lines.push("", `Acknowledged by ${codeSpan(ack.by)} at ${ack.at} for this impact.`);
  if (roots.length > 0) {
    lines.push("", roots.length === 1 ? "**Root cause**" : "**Root causes**", "");
    lines.push(...capList(roots, MAX_ROOTS, rootLine, "root cause"));
  }
  return lines.join("\n");
}

function rootLine(root: ImpactRoot): string {
  const c = root.change;
  const reach = [
    c.models.size > 0 ? plural(c.models.size, "model") : "nothing downstream",
    c.contracts.size > 0 ? plural(c.contracts.size, "contract") : "",
  ].filter(Boolean);
  const owners = c.owners.size > 0 ? `; owners ${capInline([...c.owners], 3, (o) => codeSpan(o))}` : "";
  const follow =
    root.followers.length > 0 ? `; explains ${plural(root.followers.length, "other change")}` : "";
  return `- **${c.class}** ${escapeMarkdown(c.message)} at ${codeSpan(`${c.file}:${c.line}`)}: reaches ${reach.join(", ")}${owners}${follow}`;
}

const CHANGE_HEADERS = ["Change", "Class", "Reaches", "Contracts"] as const;

function reachesCell(change: ImpactChange, max: number): string {
  if (change.reaches.size === 0) return "_nothing reads it_";
  const names = [...change.reaches].map((key) => codeSpan(key.includes(".") ? key : `${key} (rows)`));
  return `${change.reaches.size} in ${plural(change.models.size, "model")}: ${capInline(names, max, (s) => s)}`;
}

/** Said once under a table that names a whole table as `(rows)`. */
const ROWS_NOTE =
  "_`(rows)`: the table's rows depend on the change (a filter, join or group key reads it), not one of its columns._";

function changeRow(change: ImpactChange, max: number): Cell[] {
  return [
    { md: `${escapeMarkdown(change.message)}<br>${codeSpan(`${change.file}:${change.line}`)}` },
    { md: change.class },
    { md: reachesCell(change, max) },
    { md: capInline([...change.contracts], max, (c) => codeSpan(c)) || "—" },
  ];
}

function changesSection(
  ordered: readonly ImpactChange[],
  maxRows: number,
  options: RenderImpactOptions,
  where: string,
): string {
  if (ordered.length === 0) return "";
  const max = Number.isFinite(maxRows) ? (options.maxDownstream ?? 5) : 20;
  const rows: Cell[][] = [];
  let size = 0;
  for (const c of ordered.slice(0, maxRows)) {
    const row = changeRow(c, max);
    size += (renderTable(CHANGE_HEADERS, [row]).split("\n").pop() ?? "").length + 1;
    if (size > CHANGES_BUDGET && rows.length > 0) break;
    rows.push(row);
  }
  const left = ordered.length - rows.length;
  const more = left > 0 ? `\n\n${andMore(left, "change")}, each annotated on its line. ${where}` : "";
  const rowsNote = ordered.some((c) => [...c.reaches].some((k) => !k.includes(".")))
    ? `\n\n${ROWS_NOTE}`
    : "";
  return `### Changes (${ordered.length}), root causes first\n\n${renderTable(CHANGE_HEADERS, rows)}${rowsNote}${more}`;
}

function contractChangesSection(report: ImpactReport, maxRows: number): string {
  if (report.contractChanges.length === 0) return "";
  const table = renderTable(
    ["Contract", "Change", "Class", "Who must act", "Where"],
    report.contractChanges
      .slice(0, maxRows)
      .map((c) => [
        { md: codeSpan(c.contractId) },
        c.message,
        { md: c.class },
        { md: c.mustAct === "nobody" ? "—" : c.mustAct },
        { md: codeSpan(`${c.file}:${c.line ?? 1}`) },
      ]),
  );
  const left = report.contractChanges.length - Math.min(maxRows, report.contractChanges.length);
  return `### Contract changes (${report.contractChanges.length})\n\n${table}${left > 0 ? `\n\n${andMore(left, "contract change")}` : ""}`;
}

function contractsSection(report: ImpactReport, maxRows: number): string {
  if (report.contracts.length === 0) return "";
  const table = renderTable(
    ["Contract", "File", "Tables", "Owners"],
    report.contracts
      .slice(0, maxRows)
      .map((c) => [
        { md: `${codeSpan(c.id)}${c.version ? ` v${escapeMarkdown(c.version)}` : ""}` },
        { md: codeSpan(c.file) },
        { md: capInline(c.tables, 5, (t) => codeSpan(t)) },
        { md: c.owners.map((o) => codeSpan(o)).join(", ") || "—" },
      ]),
  );
  const left = report.contracts.length - Math.min(maxRows, report.contracts.length);
  return `### Affected contracts (${report.contracts.length})\n\n${table}${left > 0 ? `\n\n${andMore(left, "contract")}` : ""}`;
}

function mermaidSection(
  report: ImpactReport,
  ordered: readonly ImpactChange[],
  options: RenderImpactOptions,
): string {
  if (!options.graph || report.affected.length === 0) return "";
  const tables = new Set(report.affected.map((a) => a.table));
  const changed = report.affected
    .filter((a) => a.changed)
    .map((a) => (a.column ? `${a.table}.${a.column}` : a.table));
  const affected = report.affected.filter((a) => !a.changed).map((a) => a.table);
  // Only the affected subgraph: the picture should not wander into unrelated upstream tables.
  const subgraph: LineageGraph = {
    ...options.graph,
    tables: options.graph.tables
      .filter((t) => tables.has(t.id))
      .map((t) => ({ ...t, upstream: t.upstream.filter((u) => tables.has(u)) })),
  };
  // Affected columns are listed in their table's node; tables reached only as a whole stay bare.
  // Root causes first, so a picture capped at maxNodes starts where the change starts.
  const focus = [
    ...new Set([...ordered.map((c) => c.table), ...tables]),
    ...report.affected.flatMap((a) => (a.column ? [`${a.table}.${a.column}`] : [])),
  ];
  const chart = renderMermaid(subgraph, { focus, changed, affected, maxNodes: options.maxNodes ?? 25 });
  return `### Lineage\n\n${codeBlock(chart, "mermaid")}\n\n${mermaidLegend(stylesIn(chart))}`;
}

function reasonsSection(report: ImpactReport, max: number): string {
  if (report.reasons.length === 0) return "";
  const cut = (r: string) => (r.length > MAX_REASON_CHARS ? `${r.slice(0, MAX_REASON_CHARS - 1)}…` : r);
  const items = capList(
    report.reasons,
    max,
    (r) => `- ${escapeMarkdown(Number.isFinite(max) ? cut(r) : r)}`,
    "reason",
  );
  return `### Why (${plural(report.reasons.length, "reason")})\n\n${items.join("\n")}`;
}

function diagnosticsSection(report: ImpactReport, max: number): string {
  if (report.diagnostics.length === 0) return "";
  const items = capList(
    report.diagnostics,
    max,
    (d) => `- ${codeSpan(`${d.file}:${d.line}`)} ${escapeMarkdown(d.message)}`,
    "diagnostic",
  );
  return `### Diagnostics (${report.diagnostics.length})\n\n${items.join("\n")}`;
}

function acknowledgeHint(report: ImpactReport, ack?: Acknowledgement): string {
  if (report.verdict !== "breaking" || !report.blocking || ack) return "";
  return `_An owner of an affected contract, or a repository maintainer, can press **${ACKNOWLEDGE_ACTION.label}** above to accept this impact for this pull request. A push that changes the impact asks again._`;
}
