import { mermaidLegend, renderMermaid, stylesIn } from "../lineage/render-mermaid.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { AttributedPullRequest } from "../triage/attribution.js";
import type { Evaluation } from "../triage/evaluation-schema.js";
import type { Suspect } from "../triage/find-suspects.js";
import type { Finding } from "../triage/triage-signal.js";
import { type CodeLinks, codeLink, commitLink } from "./code-links.js";
import {
  type FindingSignal,
  findingFacts,
  findingKindOf,
  findingTitle,
  subjectOf,
} from "./describe-finding.js";
import { codeBlock, codeSpan, escapeMarkdown, escapeTableCell } from "./escape-markdown.js";
import { andMore, fitSections, plural } from "./fit-to-limit.js";
import { formatUtcMinute } from "./format-number.js";
import { renderTable } from "./markdown-table.js";
import { renderHistory } from "./render-metric-chart.js";
import { renderSuspectPulls } from "./render-suspect-pulls.js";

/** A commit that touched a suspect file recently, newest first, with its pull request when known. */
export type SuspectCommit = {
  readonly sha: string;
  readonly date: string;
  readonly author?: string;
  readonly message: string;
  readonly pr?: number;
  /** When that pull request merged (absent: not merged, or not known). */
  readonly prMergedAt?: string;
  /** Who opened that pull request. */
  readonly prAuthor?: string;
};

export type DriftIssueInput = {
  readonly finding: Finding;
  /** The signal that produced this finding: its message and source are quoted (escaped). */
  readonly signal: FindingSignal;
  /** The fingerprint's evaluations, any order; the chart shows the newest. */
  readonly history: readonly Evaluation[];
  readonly owner: string;
  readonly repo: string;
  /** The commit the lineage was built from: every permalink points at it. */
  readonly sha: string;
  /** Where file references point: GitHub permalinks (default) or repository-relative `path:line`. */
  readonly links?: CodeLinks;
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
  /** Merged pull requests suspected of the drift, the canary's catch first (see rankAttribution). */
  readonly pullRequests?: readonly AttributedPullRequest[];
};

export type RenderedDriftIssue = { readonly title: string; readonly body: string };

/** The hidden marker that identifies a finding's issue even when the database is lost. */
export function findingMarker(fingerprint: string): string {
  return `<!-- backflow:finding ${fingerprint} -->`;
}

/** The issue title by finding kind (plain text: titles render no markdown). */
export function driftIssueTitle(finding: Finding, signal?: FindingSignal): string {
  return findingTitle(finding, signal);
}

const MAX_SUSPECT_ROWS = 10;
const MAX_ROW_RULES = 8;

function linksOf(input: DriftIssueInput): CodeLinks {
  return input.links ?? { kind: "github", owner: input.owner, repo: input.repo, sha: input.sha };
}

/** The first lines: what kind of finding, on what, how bad, when and from where; then its facts. */
function headerSection(input: DriftIssueInput): string {
  const { finding, signal } = input;
  const source = signal.source.producer?.trim() || signal.source.name?.trim() || signal.source.kind;
  const head = [
    `**${escapeMarkdown(finding.severity)}** on ${codeSpan(subjectOf(finding))}`,
    `observed ${formatUtcMinute(finding.observedAt)}`,
    `source ${codeSpan(source)}`,
  ];
  if (finding.match === "unmatched") head.push(`dataset ${codeSpan(finding.dataset)} not in the lineage`);
  else if (finding.dataset !== finding.tableId) head.push(`reported as ${codeSpan(finding.dataset)}`);
  const lines = [head.join(" · "), "", ...findingFacts(finding, signal, input.history)];
  // A source's verdict is reported as "the source reports <message>": the message is then not repeated.
  const message = signal.message.trim();
  if (message !== "" && !finding.reason.includes(message)) {
    lines.push("", `> ${escapeMarkdown(message).replace(/\n+/g, "\n> ")}`);
  }
  lines.push("", `${escapeMarkdown(capitalise(finding.reason))}.`);
  if (input.previousIssue !== undefined) lines.push("", `Follows #${input.previousIssue}, closed earlier.`);
  return lines.join("\n");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function historySection(input: DriftIssueInput): string {
  const kind = findingKindOf(input.finding, input.signal);
  const numeric = input.history.filter((e) => typeof e.value === "number" && Number.isFinite(e.value));
  // A test or schema finding states its facts above; its history is worth a section only as a trend.
  if ((kind === "schema-change" || kind === "test-failure" || kind === "run-failure") && numeric.length < 2)
    return "";
  const body = renderHistory({
    metric: input.finding.metric,
    history: input.history,
    threshold: input.finding.threshold,
  });
  return `#### History\n\n${body}`;
}

/** Distinct row rules of a suspect's table: `join stg_orders.order_id (lines 45, 46)`. */
export function rowRuleLines(suspect: Pick<Suspect, "rowRules">): string[] {
  const byRule = new Map<string, number[]>();
  for (const r of suspect.rowRules) {
    const key = `${r.role} ${r.table}.${r.column}`;
    byRule.set(key, [...(byRule.get(key) ?? []), r.line]);
  }
  return [...byRule].map(([rule, lines]) => {
    const sorted = [...new Set(lines)].sort((a, b) => a - b);
    return `${rule} (${sorted.length === 1 ? "line" : "lines"} ${sorted.join(", ")})`;
  });
}

function commitsOf(input: DriftIssueInput, file: string | undefined): readonly SuspectCommit[] {
  return file ? (input.commits?.get(file) ?? []) : [];
}

function suspectsSection(input: DriftIssueInput): string {
  const links = linksOf(input);
  const suspects = input.finding.suspects;
  const rows = suspects.slice(0, MAX_SUSPECT_ROWS).map((s, i) => {
    const changed = s.recentlyChanged || commitsOf(input, s.file).length > 0;
    const where = s.file ? codeLink(links, s.file, s.line) : "source data";
    const rule = s.expression
      ? codeSpan(s.expression.length > 120 ? `${s.expression.slice(0, 119)}…` : s.expression)
      : escapeTableCell(s.transform);
    return [
      i + 1,
      {
        md: `${codeSpan(s.column ? `${s.table}.${s.column}` : s.table)}${changed ? "<br>**changed recently**" : ""}`,
      },
      { md: where },
      { md: rule },
    ];
  });
  const table = renderTable(
    ["#", "Suspect", "Where", "Rule"],
    rows,
    "_No upstream suspects: the dataset did not match the lineage graph._",
  );
  const more =
    suspects.length > MAX_SUSPECT_ROWS ? `\n\n${andMore(suspects.length - MAX_SUSPECT_ROWS, "suspect")}` : "";
  const details = suspectDetails(input);
  return `#### Suspects${suspects.length > 0 ? ` (${suspects.length})` : ""}\n\n${table}${more}${details}`;
}

/** Row rules and recent commits per suspect, folded so the table stays four columns wide. */
function suspectDetails(input: DriftIssueInput): string {
  const links = linksOf(input);
  const days = input.commitDays ?? 14;
  const blocks: string[] = [];
  const seenFiles = new Set<string>();
  input.finding.suspects.slice(0, MAX_SUSPECT_ROWS).forEach((s, i) => {
    const rules = rowRuleLines(s);
    const fresh = s.file && !seenFiles.has(s.file) ? commitsOf(input, s.file) : [];
    if (s.file) seenFiles.add(s.file);
    if (rules.length === 0 && fresh.length === 0) return;
    const lines = [`**${i + 1}. ${codeSpan(s.column ? `${s.table}.${s.column}` : s.table)}**`, ""];
    if (rules.length > 0) {
      lines.push(
        `Rows shaped by: ${rules
          .slice(0, MAX_ROW_RULES)
          .map((r) => escapeMarkdown(r))
          .join(
            "; ",
          )}${rules.length > MAX_ROW_RULES ? `; ${andMore(rules.length - MAX_ROW_RULES, "rule")}` : ""}`,
      );
    }
    if (fresh.length > 0) {
      if (rules.length > 0) lines.push("");
      lines.push(`Commits to ${codeSpan(s.file ?? "")} in the last ${days} days:`, "");
      for (const c of fresh) {
        const by = c.author ? ` by ${escapeMarkdown(c.author)}` : "";
        const pr = c.pr !== undefined ? ` in #${c.pr}` : "";
        const subject = escapeMarkdown(c.message.split("\n")[0]?.slice(0, 120) ?? "");
        lines.push(`- ${commitLink(links, c.sha)} ${c.date.slice(0, 10)}${by}${pr}: ${subject}`);
      }
    }
    blocks.push(lines.join("\n"));
  });
  const noCommits =
    input.commits && [...input.commits.values()].every((l) => l.length === 0)
      ? `\n\n_No commits touched the suspect files in the last ${days} days._`
      : "";
  if (blocks.length === 0) return noCommits;
  const summary = input.commits ? "Row rules and recent commits" : "Row rules";
  return `\n\n<details><summary>${summary}</summary>\n\n${blocks.join("\n\n")}\n\n</details>${noCommits}`;
}

function lineageSection(input: DriftIssueInput): string | null {
  const { graph, finding } = input;
  if (!graph || !finding.tableId) return null;
  const focus = finding.column ? `${finding.tableId}.${finding.column.toLowerCase()}` : finding.tableId;
  const changed = finding.suspects
    .filter((s) => s.recentlyChanged || commitsOf(input, s.file).length > 0)
    .map((s) => (s.column ? `${s.table}.${s.column}` : s.table));
  // Only the path upstream of the finding: the tables its suspects live in.
  const onPath = new Set([finding.tableId, ...finding.suspects.map((s) => s.table)]);
  const path: LineageGraph = {
    ...graph,
    tables: graph.tables
      .filter((t) => onPath.has(t.id))
      .map((t) => ({ ...t, upstream: t.upstream.filter((u) => onPath.has(u)) })),
  };
  const chart = renderMermaid(path, { focus: [focus], changed, affected: [focus], maxNodes: 15 });
  return `#### Lineage\n\n${codeBlock(chart, "mermaid")}\n\n${mermaidLegend(stylesIn(chart))}`;
}

function contextSection(input: DriftIssueInput): string {
  const { finding } = input;
  const owners = input.owners ?? [];
  const teams = owners.filter((o) => o.includes("/"));
  const ownerLine =
    owners.length === 0
      ? "_No owner found in the config, contracts or CODEOWNERS._"
      : owners.map((o) => codeSpan(o)).join(", ");
  const mention = input.mentionTeams && teams.length > 0 ? `\n\ncc ${teams.join(" ")}` : "";
  const lines = [`**Owners:** ${ownerLine}${mention}`];
  if (finding.annotations.length > 0) {
    lines.push(
      "",
      `**Annotations that apply** (${plural(finding.annotations.length, "annotation")}):`,
      "",
      ...finding.annotations.map(
        (a) => `- ${escapeMarkdown(a.kind)} by ${escapeMarkdown(a.author)}: ${escapeMarkdown(a.note)}`,
      ),
    );
  }
  return lines.join("\n");
}

const NEXT_STEPS = [
  "<details><summary>Next steps: commands to comment on this issue</summary>",
  "",
  "- `/backflow propose`: open a draft pull request with a proposed fix (cleansing rule, contract change or revert).",
  "- `/backflow annotate <seasonality|policy|event|maintenance> <from>..<to> <note>`: record context; covered breaches stop counting.",
  "- `/backflow snooze <duration>` (e.g. `7d`): keep updating this issue without notifications.",
  "- `/backflow resolve`: close it now; a new breach opens it again.",
  "",
  "</details>",
].join("\n");

/**
 * The drift issue for a finding: a title by kind, and a body with the hidden marker, the facts that
 * kind has, the history (chart or sentence), suspects in a four-column table with row rules and recent
 * commits folded below, the lineage picture with a legend, owners and the commands. Every text that
 * came from a signal is escaped.
 */
export function renderDriftIssue(input: DriftIssueInput): RenderedDriftIssue {
  const pulls = { text: renderSuspectPulls(input.pullRequests), keep: true };
  const caught = input.pullRequests?.some((p) => p.canary !== undefined) ?? false;
  const sections = [
    { text: `${findingMarker(input.finding.fingerprint)}\n${headerSection(input)}`, keep: true },
    { text: historySection(input), name: "History" },
    // A pull request a canary caught is the first suspect; otherwise merged pull requests follow the columns.
    ...(caught ? [pulls] : []),
    { text: suspectsSection(input), keep: true },
    ...(caught ? [] : [pulls]),
    { text: contextSection(input), name: "Owners" },
    { text: lineageSection(input) ?? "", name: "Lineage" },
    { text: NEXT_STEPS, name: "Next steps" },
  ].filter((s) => s.text !== "");
  const footer = `<sub>Backflow finding ${codeSpan(input.finding.fingerprint.slice(0, 12))} · lineage at ${codeSpan(input.sha.slice(0, 7))}</sub>`;
  return {
    title: driftIssueTitle(input.finding, input.signal),
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
