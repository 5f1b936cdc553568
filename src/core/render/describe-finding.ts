import type { Signal } from "../signals/signal-schema.js";
import type { Evaluation } from "../triage/evaluation-schema.js";
import type { Finding } from "../triage/triage-signal.js";
import { codeSpan, escapeMarkdown, plainLine } from "./escape-markdown.js";
import { plural } from "./fit-to-limit.js";
import { formatNumber } from "./format-number.js";

/** What a finding is about, which decides its title and the facts its issue shows. */
export type FindingKind =
  | "schema-change"
  | "test-failure"
  | "run-failure"
  | "freshness"
  | "volume"
  | "completeness"
  | "drift"
  | "performance"
  | "metric";

/** The parts of the signal a finding's text reads; all optional but the message and source. */
export type FindingSignal = Pick<Signal, "message" | "source"> &
  Partial<Pick<Signal, "check" | "type" | "schemaChange" | "measurement">>;

const MAX_TITLE = 200;

/** The table.column (or dataset) a finding is about, as Backflow names it. */
export function subjectOf(finding: Finding): string {
  const table = finding.tableId ?? finding.dataset;
  return finding.column ? `${table}.${finding.column}` : table;
}

/**
 * The kind of a finding: the signal's own type for schema changes, failed runs and failed checks
 * without a number; otherwise the metric family.
 */
export function findingKindOf(finding: Finding, signal?: FindingSignal): FindingKind {
  if (signal?.type === "schema_change" || (signal?.schemaChange?.changes.length ?? 0) > 0)
    return "schema-change";
  if (signal?.type === "run_failed") return "run-failure";
  if (finding.kind === "freshness" || signal?.type === "freshness_breach") return "freshness";
  // A failed test is titled as one even when it counts something (`not_null` with 37 failing rows).
  if (signal?.type === "check_failed" && signal.check) return "test-failure";
  if (finding.observed === undefined && signal?.check) return "test-failure";
  if (finding.kind === "volume" || finding.kind === "completeness" || finding.kind === "drift")
    return finding.kind;
  if (finding.kind === "performance") return "performance";
  if (signal?.type === "check_failed" && finding.kind === "consistency") return "test-failure";
  return "metric";
}

/**
 * The short name of the test a signal comes from: its type (`not_null`), or the readable part of a
 * dbt/Elementary unique id (`test.shop.not_null_fct_orders_customer_id.9d8e7f` → `not_null_fct_orders_customer_id`).
 */
export function testNameOf(signal?: FindingSignal): string | undefined {
  const check = signal?.check;
  if (!check) return undefined;
  if (check.type?.trim()) return check.type.trim();
  const parts = check.name.split(".");
  if (parts.length >= 3 && parts[0] === "test") {
    const name = parts.length >= 4 ? parts.slice(2, -1).join(".") : (parts[2] ?? check.name);
    return name.replace(/_+$/, "");
  }
  return check.name;
}

/** How the observed value compares with the limit, e.g. `0.93 < 0.99`. */
function comparison(finding: Finding): string {
  const { observed, threshold } = finding;
  if (observed === undefined) return finding.breached ? "breached" : "healthy";
  const value = formatNumber(observed);
  if (threshold.min !== undefined && observed < threshold.min)
    return `${value} < ${formatNumber(threshold.min)}`;
  if (threshold.max !== undefined && observed > threshold.max)
    return `${value} > ${formatNumber(threshold.max)}`;
  return value;
}

/** `lost lifetime_value`, `lifetime_value changed type from numeric to text`. */
function schemaChangeWords(signal?: FindingSignal): string[] {
  return (signal?.schemaChange?.changes ?? []).map((c) => {
    const col = c.column ?? "a column";
    switch (c.kind) {
      case "column_removed":
        return `lost ${col}`;
      case "column_added":
        return `gained ${col}`;
      case "type_changed":
        return `${col} changed type${c.from ? ` from ${c.from}` : ""}${c.to ? ` to ${c.to}` : ""}`;
      case "constraint_removed":
        return `${col} lost a constraint${c.from ? ` (${c.from})` : ""}`;
      case "contract_disabled":
        return "contract disabled";
      case "materialization_changed":
        return `materialization changed${c.to ? ` to ${c.to}` : ""}`;
    }
    return c.kind;
  });
}

const KIND_WORD: Readonly<Record<Exclude<FindingKind, "schema-change" | "test-failure">, string>> = {
  "run-failure": "Run failed",
  freshness: "Freshness",
  volume: "Volume",
  completeness: "Completeness",
  drift: "Drift",
  performance: "Model performance",
  metric: "Metric",
};

/** Backflow reads freshness in hours, unless the limit came with the signal (then in its units). */
function inHours(finding: Finding): boolean {
  return (finding.threshold.learnedOver ?? finding.threshold.from) !== "signal" || !finding.unit;
}

function age(finding: Finding, value: number): string {
  if (!inHours(finding)) return `${formatNumber(value, 3)} ${finding.unit ?? ""}`.trim();
  return value >= 48 ? `${formatNumber(value / 24, 3)} days` : `${formatNumber(value, 3)} h`;
}

/**
 * The issue title by kind, in plain text (titles render no markdown):
 * `Schema change: dim_customers lost lifetime_value`, `Test failed: not_null on fct_orders.customer_id`,
 * `Completeness: fct_orders.customer_id 0.93 < 0.99`, `Freshness: fct_orders 30 h old, limit 24 h`.
 */
export function findingTitle(finding: Finding, signal?: FindingSignal): string {
  const kind = findingKindOf(finding, signal);
  const subject = subjectOf(finding);
  let title: string;
  if (kind === "schema-change") {
    const words = schemaChangeWords(signal);
    const table = finding.tableId ?? finding.dataset;
    const shown = words.slice(0, 3).join(", ");
    title =
      words.length > 0
        ? `Schema change: ${table} ${shown}${words.length > 3 ? ` and ${words.length - 3} more` : ""}`
        : `Schema change: ${subject}`;
  } else if (kind === "test-failure") {
    const test = testNameOf(signal);
    title = test ? `Test failed: ${test} on ${subject}` : `Check failed on ${subject}`;
  } else if (kind === "freshness" && finding.observed !== undefined) {
    const limit = finding.threshold.max;
    title = `Freshness: ${subject} ${age(finding, finding.observed)} old${limit !== undefined ? `, limit ${age(finding, limit)}` : ""}`;
  } else if (kind === "run-failure" || finding.observed === undefined) {
    title = `${KIND_WORD[kind as keyof typeof KIND_WORD] ?? "Check"}: ${subject}${kind === "run-failure" ? "" : " breached"}`;
  } else {
    const word = KIND_WORD[kind as keyof typeof KIND_WORD];
    // `Completeness: x 0.93 < 0.99`, but `Completeness: x null_rate 0.07 > 0.01`.
    const metric = finding.metric.toLowerCase() === word.toLowerCase() ? "" : ` ${finding.metric}`;
    title = `${word}: ${subject}${metric} ${comparison(finding)}`;
  }
  const line = plainLine(title).replace(/\s+/g, " ").trim();
  return line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE - 1)}…` : line;
}

/** The limits that apply to this kind, in words; relative and z-score limits only with a baseline. */
export function thresholdWords(finding: Finding, numericHistory: number): string | undefined {
  const t = finding.threshold;
  if (finding.observed === undefined) return undefined;
  const parts = [
    t.min !== undefined ? `minimum ${formatNumber(t.min)}` : undefined,
    t.max !== undefined ? `maximum ${formatNumber(t.max)}` : undefined,
    t.relative !== undefined && numericHistory >= 2
      ? `at most ${formatNumber(t.relative * 100)}% from the baseline of earlier values`
      : undefined,
    t.zscore !== undefined && numericHistory >= 3 ? `|z| at most ${formatNumber(t.zscore)}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? `${parts.join(", ")} (from ${t.from})` : undefined;
}

/**
 * The facts a finding's kind has, as markdown lines: the change list of a schema change, the test and
 * its failing rows, the value against its limit. Nothing a kind does not have (no z-score on a test).
 */
export function findingFacts(
  finding: Finding,
  signal: FindingSignal | undefined,
  history: readonly Evaluation[],
): string[] {
  const kind = findingKindOf(finding, signal);
  const lines: string[] = [];
  if (kind === "schema-change") {
    const changes = signal?.schemaChange?.changes ?? [];
    for (const c of changes.slice(0, 20)) {
      const col = c.column ? codeSpan(c.column) : "a column";
      const types = [c.from && `from ${codeSpan(c.from)}`, c.to && `to ${codeSpan(c.to)}`].filter(Boolean);
      lines.push(
        `- ${escapeMarkdown(c.kind.replace(/_/g, " "))}: ${col}${types.length ? ` ${types.join(" ")}` : ""}`,
      );
    }
    if (changes.length > 20) lines.push(`- …and ${plural(changes.length - 20, "more change")}`);
    return lines;
  }
  if (kind === "test-failure") {
    const test = testNameOf(signal);
    const rows = signal?.measurement?.failingRows;
    lines.push(
      `Test ${test ? codeSpan(test) : "check"} failed on ${codeSpan(subjectOf(finding))}${rows !== undefined ? ` with ${plural(rows, "failing row")}` : ""}.`,
    );
    const id = signal?.check?.ruleId ?? signal?.check?.name;
    if (id && id !== test) lines.push(`Check: ${codeSpan(id)}`);
    if (finding.observed !== undefined && rows === undefined) lines.push(...observedLine(finding, history));
    return lines;
  }
  return observedLine(finding, history);
}

/** `Observed `completeness` **0.93**; limit: minimum 0.99 (from config).` */
function observedLine(finding: Finding, history: readonly Evaluation[]): string[] {
  if (finding.observed === undefined) return [];
  const numeric = history.filter((e) => typeof e.value === "number").length;
  const limit = thresholdWords(finding, numeric);
  const unit =
    finding.kind === "freshness" && inHours(finding)
      ? " hours"
      : finding.unit && !/^(ratio|fraction)$/i.test(finding.unit)
        ? ` ${escapeMarkdown(finding.unit)}`
        : "";
  return [
    `Observed ${codeSpan(finding.metric)} **${formatNumber(finding.observed)}${unit}**${limit ? `; limit: ${escapeMarkdown(limit)}` : ""}.`,
  ];
}
