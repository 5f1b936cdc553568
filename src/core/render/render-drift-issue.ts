import { renderMermaid } from "../lineage/render-mermaid.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { Signal } from "../signals/signal-schema.js";
import type { Evaluation } from "../triage/evaluation-schema.js";
import type { Finding } from "../triage/triage-signal.js";
import { codeSpan, escapeMarkdown } from "./escape-markdown.js";
import { fitSections } from "./fit-to-limit.js";
import { renderTable } from "./markdown-table.js";
import { formatNumber, renderMetricChart } from "./render-metric-chart.js";

/** A commit that touched a suspect file recently, newest first, with its pull request when known. */
export type SuspectCommit = {
  readonly sha: string;
  readonly date: string;
  readonly author?: string;
  readonly message: string;
  readonly pr?: number;
};

export type DriftIssueInput = {
  readonly finding: Finding;
  /** The signal that produced this finding: its message and source are quoted (escaped). */
  readonly signal: Pick<Signal, "message" | "source" | "check">;
  /** The fingerprint's evaluations, any order; the chart shows the newest. */
  readonly history: readonly Evaluation[];
  readonly owner: string;
  readonly repo: string;
  /** The commit the lineage was built from: every permalink points at it. */
  readonly sha: string;
  readonly graph?: LineageGraph;
  /** Suspect file → commits that touched it in the last `commitDays` days. */
  readonly commits?: ReadonlyMap<string, readonly SuspectCommit[]>;
  readonly commitDays?: number;
  /** Owners of the drifting table (`@user`, `@org/team`). */
  readonly owners?: readonly string[];
  /** Mention owner teams (config `assignTeams`); otherwise owners are listed without notifying. */
  readonly mentionTeams?: boolean;
  /** The earlier issue of this fingerprint, when this one replaces it. */
  readonly previousIssue?: number;
};

export type RenderedDriftIssue = { readonly title: string; readonly body: string };

/** The hidden marker that identifies a finding's issue even when the database is lost. */
export function findingMarker(fingerprint: string): string {
  return `<!-- backflow:finding ${fingerprint} -->`;
}

const MAX_TITLE = 200;

/** The table.column (or dataset) a finding is about, as Backflow names it. */
function subjectOf(finding: Finding): string {
  const table = finding.tableId ?? finding.dataset;
  return finding.column ? `${table}.${finding.column}` : table;
}

/** How the observed value compares with the limit, e.g. `0.93 < 0.99`; the reason when no bound applies. */
function comparison(finding: Finding): string {
  const { observed, threshold } = finding;
  if (observed === undefined) return finding.breached ? "breached" : "healthy";
  const value = formatNumber(observed);
  if (threshold.min !== undefined && observed < threshold.min)
    return `${value} < ${formatNumber(threshold.min)}`;
  if (threshold.max !== undefined && observed > threshold.max)
    return `${value} > ${formatNumber(threshold.max)}`;
  if (threshold.min !== undefined && finding.breached === false)
    return `${value} ≥ ${formatNumber(threshold.min)}`;
  if (threshold.max !== undefined && finding.breached === false)
    return `${value} ≤ ${formatNumber(threshold.max)}`;
  return value;
}

/** `Drift: fct_orders.customer_id completeness 0.93 < 0.99` (plain text: titles render no markdown). */
export function driftIssueTitle(finding: Finding): string {
  const title = `Drift: ${subjectOf(finding)} ${finding.metric} ${comparison(finding)}`.replace(/\s+/g, " ");
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title;
}

function thresholdText(finding: Finding): string {
  const t = finding.threshold;
  const parts = [
    t.min !== undefined ? `minimum ${formatNumber(t.min)}` : undefined,
    t.max !== undefined ? `maximum ${formatNumber(t.max)}` : undefined,
    t.relative !== undefined ? `at most ${formatNumber(t.relative * 100)}% from the baseline` : undefined,
    t.zscore !== undefined ? `|z| at most ${formatNumber(t.zscore)}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? `${parts.join(", ")} (from ${t.from})` : "none";
}

function headerSection(input: DriftIssueInput): string {
  const { finding, signal } = input;
  const source = signal.source.producer?.trim() || signal.source.name?.trim() || signal.source.kind;
  const lines = [
    `### ${escapeMarkdown(driftIssueTitle(finding))}`,
    "",
    `| observed | threshold | severity | observed at (UTC) |`,
    `| --- | --- | --- | --- |`,
    `| ${finding.observed === undefined ? "—" : formatNumber(finding.observed)} | ${escapeMarkdown(thresholdText(finding))} | ${finding.severity} | ${finding.observedAt.replace("T", " ").replace(/\.\d+/, "")} |`,
    "",
    `${escapeMarkdown(finding.reason)}.`,
  ];
  if (signal.message.trim() !== "")
    lines.push("", `> ${escapeMarkdown(signal.message).replace(/\n+/g, "\n> ")}`);
  const check = signal.check ? ` · check ${codeSpan(signal.check.name)}` : "";
  lines.push(
    "",
    `Dataset ${codeSpan(finding.dataset)} (matched ${finding.match}) · source ${codeSpan(source)}${check}`,
  );
  if (input.previousIssue !== undefined) lines.push("", `Follows #${input.previousIssue}, closed earlier.`);
  return lines.join("\n");
}

function historySection(input: DriftIssueInput): string {
  const chart = renderMetricChart({
    title: `${subjectOf(input.finding)} ${input.finding.metric}`,
    metric: input.finding.metric,
    history: input.history,
    threshold: input.finding.threshold,
  });
  const points = input.history.length;
  return chart
    ? `#### History (${points} point${points === 1 ? "" : "s"}, signal time)\n\n\`\`\`mermaid\n${chart}\n\`\`\``
    : "#### History\n\n_No numeric measurements yet._";
}

/** A blob permalink at the lineage commit; each path segment encoded, so a file name cannot alter the URL. */
export function permalink(input: {
  owner: string;
  repo: string;
  sha: string;
  file: string;
  line?: number;
}): string {
  const path = input.file.split("/").map(encodeURIComponent).join("/");
  const anchor = input.line ? `#L${input.line}` : "";
  return `https://github.com/${encodeURIComponent(input.owner)}/${encodeURIComponent(input.repo)}/blob/${encodeURIComponent(input.sha)}/${path}${anchor}`;
}

function suspectsSection(input: DriftIssueInput): string {
  const rows = input.finding.suspects.map((s, i) => {
    const where = s.file
      ? {
          md: `[${escapeMarkdown(`${s.file}${s.line ? `#L${s.line}` : ""}`)}](${permalink({ ...input, file: s.file, line: s.line })})`,
        }
      : "source data";
    const rules = s.rowRules.map((r) => `${r.role} ${r.table}.${r.column} (line ${r.line})`).slice(0, 4);
    return [
      i + 1,
      { md: codeSpan(s.column ? `${s.table}.${s.column}` : s.table) },
      where,
      { md: s.expression ? codeSpan(s.expression.slice(0, 200)) : s.transform },
      rules.join("; ") || "—",
      s.recentlyChanged ? "yes" : "",
    ];
  });
  const table = renderTable(
    ["#", "suspect", "where", "rule", "row rules", "changed recently"],
    rows,
    "_No upstream suspects: the dataset did not match the lineage graph._",
  );
  return `#### Suspects\n\n${table}`;
}

function commitsSection(input: DriftIssueInput): string | null {
  const commits = input.commits;
  if (!commits) return null;
  const days = input.commitDays ?? 14;
  const lines: string[] = [];
  for (const [file, list] of commits) {
    if (list.length === 0) continue;
    lines.push(`- ${codeSpan(file)}`);
    for (const c of list) {
      const link = `[${c.sha.slice(0, 7)}](https://github.com/${encodeURIComponent(input.owner)}/${encodeURIComponent(input.repo)}/commit/${encodeURIComponent(c.sha)})`;
      const by = c.author ? ` by ${escapeMarkdown(c.author)}` : "";
      const pr = c.pr !== undefined ? ` in #${c.pr}` : "";
      lines.push(
        `  - ${link} ${c.date.slice(0, 10)}${by}${pr}: ${escapeMarkdown(c.message.split("\n")[0]?.slice(0, 120) ?? "")}`,
      );
    }
  }
  const body = lines.length > 0 ? lines.join("\n") : "_No commits touched the suspect files._";
  return `#### Commits to suspect files in the last ${days} days\n\n${body}`;
}

function lineageSection(input: DriftIssueInput): string | null {
  const { graph, finding } = input;
  if (!graph || !finding.tableId) return null;
  const focus = finding.column ? `${finding.tableId}.${finding.column.toLowerCase()}` : finding.tableId;
  const highlight = finding.suspects.filter((s) => s.column).map((s) => `${s.table}.${s.column}`);
  // Only the path upstream of the finding: the tables its suspects live in.
  const onPath = new Set([finding.tableId, ...finding.suspects.map((s) => s.table)]);
  const path: LineageGraph = {
    ...graph,
    tables: graph.tables
      .filter((t) => onPath.has(t.id))
      .map((t) => ({ ...t, upstream: t.upstream.filter((u) => onPath.has(u)) })),
  };
  const chart = renderMermaid(path, { focus: [focus], highlight, maxNodes: 15 });
  return `#### Lineage\n\n\`\`\`mermaid\n${chart}\n\`\`\``;
}

function contextSection(input: DriftIssueInput): string {
  const { finding } = input;
  const annotations =
    finding.annotations.length > 0
      ? finding.annotations
          .map((a) => `- ${escapeMarkdown(a.kind)} by ${escapeMarkdown(a.author)}: ${escapeMarkdown(a.note)}`)
          .join("\n")
      : "_None applies to this observation._";
  const owners = input.owners ?? [];
  const teams = owners.filter((o) => o.includes("/"));
  const ownerLine =
    owners.length === 0
      ? "_No owner found in the config, contracts or CODEOWNERS._"
      : owners.map((o) => codeSpan(o)).join(", ");
  const mention = input.mentionTeams && teams.length > 0 ? `\n\ncc ${teams.join(" ")}` : "";
  return `#### Annotations\n\n${annotations}\n\n#### Owners\n\n${ownerLine}${mention}`;
}

const NEXT_STEPS = [
  "#### Next steps",
  "",
  "Comment one of these on this issue:",
  "- `/backflow propose`: open a draft pull request with a proposed fix (cleansing rule, contract change or revert).",
  "- `/backflow annotate <seasonality|policy|event|maintenance> <from>..<to> <note>`: record context; covered breaches stop counting.",
  "- `/backflow snooze <duration>` (e.g. `7d`): keep updating this issue without notifications.",
  "- `/backflow resolve`: close it now; a new breach opens it again.",
].join("\n");

/**
 * The drift issue for a finding: title and markdown body with the hidden marker, observed vs
 * threshold, the metric chart, suspects with permalinks at `sha`, recent commits, the lineage picture,
 * annotations, owners and the commands. Every text that came from a signal is escaped.
 */
export function renderDriftIssue(input: DriftIssueInput): RenderedDriftIssue {
  const sections = [
    { text: `${findingMarker(input.finding.fingerprint)}\n${headerSection(input)}`, keep: true },
    { text: historySection(input) },
    { text: suspectsSection(input), keep: true },
    { text: commitsSection(input) ?? "" },
    { text: contextSection(input) },
    { text: NEXT_STEPS },
    { text: lineageSection(input) ?? "" },
  ].filter((s) => s.text !== "");
  const footer = `<sub>Backflow finding ${codeSpan(input.finding.fingerprint.slice(0, 12))} · lineage at ${codeSpan(input.sha.slice(0, 7))}</sub>`;
  return {
    title: driftIssueTitle(input.finding),
    body: fitSections([...sections, { text: footer, keep: true }]),
  };
}

export type DriftCommentKind = "reopened" | "severity" | "still-breached" | "resolved";

/** The comment for a lifecycle step of a drift issue (what changed, in one or two lines). */
export function renderDriftComment(kind: DriftCommentKind, finding: Finding): string {
  const what = `${codeSpan(subjectOf(finding))} ${escapeMarkdown(finding.metric)}: ${escapeMarkdown(finding.reason)} (observed ${finding.observedAt}).`;
  switch (kind) {
    case "reopened":
      return `Breached again, so Backflow reopened this issue. ${what}`;
    case "severity":
      return `Severity is now **${finding.severity}**. ${what}`;
    case "still-breached":
      return `Still breached after the quiet period. ${what}`;
    case "resolved":
      return `Recovered: ${what} Backflow closed this issue; a new breach reopens it within 7 days.`;
  }
}
