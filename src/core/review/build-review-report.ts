import { codeSpan } from "../render/escape-markdown.js";
import type { Annotation } from "../triage/annotations.js";
import { describeBounds } from "../triage/describe-tolerance.js";
import type { Evaluation } from "../triage/evaluation-schema.js";
import type { Suspect } from "../triage/find-suspects.js";
import { type LearnedEntry, LearnedEntrySchema } from "../triage/learned-tolerance.js";
import { detectMs, type FindingEpisode, findingEpisodes, type ReviewAuditEntry } from "./finding-episodes.js";
import { type ReviewPeriod, reviewIssueIdentity, reviewPeriodOf } from "./review-period.js";
import type { DurationStats, ReviewReport } from "./review-report.js";

const HOUR = 3_600_000;

/** A finding as the review reads it (the store's FindingRecord has this shape). */
export type ReviewFinding = {
  readonly fingerprint: string;
  readonly state: "open" | "resolved";
  readonly issueNumber: number | null;
  readonly openedAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly finding: {
    readonly dataset: string;
    readonly tableId?: string | undefined;
    readonly column?: string | undefined;
    readonly metric: string;
    readonly suspects: readonly Suspect[];
  };
};

/** An expectation of a merged pull request, as the review reads it. */
export type ReviewExpectation = {
  readonly pr: number;
  readonly mergedAt: Date;
  readonly fingerprint: string;
  readonly state: "watching" | "met" | "violated" | "inconclusive";
  readonly revertPr: number | null;
  readonly updatedAt: Date;
};

/** A post-merge canary, as the review reads it (the store's CanaryRecord has this shape). */
export type ReviewCanary = {
  readonly pr: number;
  readonly mergedAt: Date;
  readonly windowEnds: Date;
  readonly state: "watching" | "clean" | "regressed" | "no-signal";
  readonly summary: string | null;
  readonly evidence: readonly string[];
  /** The findings whose history the canary read; a regressed one's are caused by its merge. */
  readonly series?: ReadonlyArray<{
    readonly fingerprint: string;
    readonly tableId: string;
    readonly column?: string;
  }>;
};

/**
 * The merges a regressed canary names as the cause of a finding: the fingerprints of the series
 * whose column its evidence names (evidence lines start with the column in a code span).
 */
export function canaryCauses(
  canaries: readonly ReviewCanary[],
): Array<{ fingerprint: string; mergedAt: Date; until: Date }> {
  return canaries
    .filter((c) => c.state === "regressed")
    .flatMap((c) =>
      (c.series ?? [])
        .filter((s) => {
          const label = s.column ? `${s.tableId}.${s.column}` : s.tableId;
          return c.evidence.some((e) => e.startsWith(`${codeSpan(label)} `));
        })
        .map((s) => ({ fingerprint: s.fingerprint, mergedAt: c.mergedAt, until: c.windowEnds })),
    );
}

export type ReviewInput = {
  readonly repo: string;
  readonly period: ReviewPeriod;
  readonly findings: readonly ReviewFinding[];
  /** Each finding's stored history points (any order), by fingerprint. */
  readonly history: Readonly<Record<string, readonly Evaluation[]>>;
  readonly audit: readonly ReviewAuditEntry[];
  readonly expectations: readonly ReviewExpectation[];
  readonly annotations: readonly Annotation[];
  /** Whether each revert pull request merged; absent: merges of reverts are not recorded. */
  readonly revertsMerged?: ReadonlyMap<number, boolean>;
  /** Owners per lineage table id; absent: owners are not known to the caller. */
  readonly owners?: Readonly<Record<string, readonly string[]>>;
  /** Post-merge canaries; absent: canaries were not read (the report says so). */
  readonly canaries?: readonly ReviewCanary[];
  /** The previous period's review, for "what changed since the last review". */
  readonly previous?: ReviewReport;
};

/** Median and nearest-rank 90th percentile, in hours rounded to 0.1. */
export function durationStats(ms: readonly number[]): DurationStats {
  if (ms.length === 0) return { count: 0, medianHours: null, p90Hours: null };
  const s = [...ms].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  const p90 = s[Math.ceil(0.9 * s.length) - 1] ?? 0;
  const hours = (v: number) => Math.round((v / HOUR) * 10) / 10;
  return { count: s.length, medianHours: hours(median), p90Hours: hours(p90) };
}

const BUCKETS: ReadonlyArray<{ label: string; below: number }> = [
  { label: "< 1 h", below: HOUR },
  { label: "1 h – 1 d", below: 24 * HOUR },
  { label: "1 – 3 d", below: 72 * HOUR },
  { label: "3 – 7 d", below: 168 * HOUR },
  { label: "≥ 7 d", below: Number.POSITIVE_INFINITY },
];

const inPeriod = (at: Date, p: ReviewPeriod) => at >= p.start && at < p.end;

function targetOf(f: ReviewFinding | undefined, fingerprint: string): string {
  if (!f) return fingerprint.slice(0, 12);
  const table = f.finding.tableId ?? f.finding.dataset;
  return `${table}${f.finding.column ? `.${f.finding.column}` : ""} ${f.finding.metric}`;
}

/** Time from the causing merge to the first breach after it, for findings whose cause is recorded. */
function detectTimes(
  input: ReviewInput,
  started: readonly FindingEpisode[],
): { times: number[]; unknown: number } {
  const times: number[] = [];
  let unknown = 0;
  const causes = [...input.expectations, ...canaryCauses(input.canaries ?? [])];
  for (const e of started) {
    const ms = detectMs(e, causes, input.history[e.fingerprint] ?? []);
    if (ms === null) unknown++;
    else times.push(ms);
  }
  return { times, unknown };
}

function learnedOf(entry: ReviewAuditEntry): LearnedEntry | null {
  const parsed = LearnedEntrySchema.safeParse(entry.detail);
  return parsed.success ? parsed.data : null;
}

function annotationIds(detail: unknown): string[] {
  const ids = (detail as { annotations?: unknown } | null)?.annotations;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
}

function upstreamOf(input: ReviewInput, fingerprints: ReadonlySet<string>): ReviewReport["upstream"] {
  const byFile = new Map<string, { tables: Set<string>; findings: Set<string> }>();
  for (const f of input.findings) {
    if (!fingerprints.has(f.fingerprint)) continue;
    for (const s of f.finding.suspects) {
      if (!s.file) continue;
      const row = byFile.get(s.file) ?? { tables: new Set(), findings: new Set() };
      row.tables.add(s.table);
      row.findings.add(f.fingerprint);
      byFile.set(s.file, row);
    }
  }
  return [...byFile]
    .map(([file, row]) => {
      const tables = [...row.tables].sort();
      const owners = input.owners
        ? [...new Set(tables.flatMap((t) => input.owners?.[t] ?? []))].sort()
        : null;
      return { file, tables, findings: row.findings.size, owners };
    })
    .sort((a, b) => b.findings - a.findings || a.file.localeCompare(b.file))
    .slice(0, 10);
}

/**
 * Canary outcomes of the period: a canary counts in the period its window ends in (a regression is
 * final once attributed); `watching` counts windows still running at the period's end.
 */
function canariesOf(
  canaries: readonly ReviewCanary[],
  period: ReviewPeriod,
): NonNullable<ReviewReport["canaries"]> {
  const ended = canaries.filter((c) => inPeriod(c.windowEnds, period));
  const count = (s: ReviewCanary["state"]) => ended.filter((c) => c.state === s).length;
  return {
    clean: count("clean"),
    regressed: count("regressed"),
    noSignal: count("no-signal"),
    watching: canaries.filter((c) => c.mergedAt < period.end && c.windowEnds >= period.end).length,
    regressions: ended
      .filter((c) => c.state === "regressed")
      .sort((a, b) => a.pr - b.pr)
      .map((c) => ({ pr: c.pr, summary: c.summary ?? "", evidence: [...c.evidence] })),
  };
}

function weeksOf(period: ReviewPeriod, starts: readonly Date[]): ReviewReport["findingsPerWeek"] {
  const weeks: ReviewReport["findingsPerWeek"] = [];
  for (
    let w = reviewPeriodOf("weekly", period.start);
    w.start < period.end;
    w = reviewPeriodOf("weekly", w.end)
  ) {
    const from = Math.max(w.start.getTime(), period.start.getTime());
    const to = Math.min(w.end.getTime(), period.end.getTime());
    weeks.push({ week: w.key, count: starts.filter((s) => s.getTime() >= from && s.getTime() < to).length });
  }
  return weeks;
}

function changesSince(
  report: Omit<ReviewReport, "changesSinceLast">,
  previous: ReviewReport | undefined,
): string[] {
  if (!previous) return ["No earlier review to compare with."];
  const delta = (now: number, before: number) =>
    now === before ? "unchanged" : `${now > before ? "up" : "down"} from ${before}`;
  const lines = [
    `Findings opened: ${report.findings.opened} (${delta(report.findings.opened, previous.findings.opened)}); still open: ${report.findings.stillOpen} (${delta(report.findings.stillOpen, previous.findings.stillOpen)}).`,
  ];
  const ttr = report.timeToResolve.medianHours;
  const before = previous.timeToResolve.medianHours;
  if (ttr !== null && before !== null && ttr !== before)
    lines.push(`Median time to resolve ${ttr < before ? "fell" : "rose"} from ${before} h to ${ttr} h.`);
  const newIssues = report.findings.issues.filter((i) => i.event === "opened" && i.issue !== null);
  if (newIssues.length > 0)
    lines.push(`New drift issues: ${newIssues.map((i) => `#${i.issue}`).join(", ")}.`);
  const wolves = report.criedWolf.length - previous.criedWolf.length;
  if (report.criedWolf.length > 0)
    lines.push(
      `${report.criedWolf.length} limit(s) relaxed after issues closed as not planned (${wolves >= 0 ? "+" : ""}${wolves} vs last).`,
    );
  return lines;
}

/**
 * The recurring review of one repository over one period, from what the store records: findings
 * and their audit trail, history points, expectations, annotations. A figure the store does not keep
 * is listed in `notRecorded` (and shown as such), never estimated.
 */
export function buildReviewReport(input: ReviewInput): ReviewReport {
  const { period } = input;
  const episodes = findingEpisodes(input.findings, input.audit);
  const started = episodes.filter((e) => inPeriod(e.start, period));
  const ended = episodes.filter((e) => e.end && inPeriod(e.end, period));
  const stillOpen = episodes.filter((e) => e.start < period.end && (!e.end || e.end >= period.end));
  const detect = detectTimes(input, started);
  const resolveMs = ended.map((e) => (e.end?.getTime() ?? 0) - e.start.getTime());
  const byFp = new Map(input.findings.map((f) => [f.fingerprint, f]));
  const issueOfFp = (e: FindingEpisode) => e.issue ?? byFp.get(e.fingerprint)?.issueNumber ?? null;
  const issues: ReviewReport["findings"]["issues"] = [
    ...started.map((e) => ({
      e,
      event: e.reopened ? ("reopened" as const) : ("opened" as const),
      at: e.start,
    })),
    ...ended.map((e) => ({ e, event: "resolved" as const, at: e.end })),
    ...stillOpen.map((e) => ({ e, event: "still-open" as const, at: null })),
  ].map(({ e, event, at }) => ({
    fingerprint: e.fingerprint,
    issue: issueOfFp(e),
    target: targetOf(byFp.get(e.fingerprint), e.fingerprint),
    event,
    at: at ? at.toISOString() : null,
  }));
  const auditIn = input.audit.filter((a) => inPeriod(a.at, period));
  const settled = input.expectations.filter((x) => x.state !== "watching" && inPeriod(x.updatedAt, period));
  const count = (s: ReviewExpectation["state"]) => settled.filter((x) => x.state === s).length;
  const reverts = input.expectations.filter((x) => x.revertPr !== null && inPeriod(x.updatedAt, period));
  const revertRows = reverts.map((x) => ({
    pr: x.pr,
    revertPr: x.revertPr ?? 0,
    merged: input.revertsMerged?.get(x.revertPr ?? 0) ?? null,
  }));
  const criedWolf = auditIn.flatMap((a) => {
    const entry = a.action === "drift.learned" && a.target ? learnedOf(a) : null;
    return entry && a.target
      ? [
          {
            fingerprint: a.target,
            issue: entry.issue,
            metric: entry.metric,
            closedBy: entry.closedBy,
            closedAt: entry.closedAt,
            old: describeBounds(entry.old),
            learned: describeBounds(entry.learned),
          },
        ]
      : [];
  });
  const uses = new Map<string, number>();
  for (const a of auditIn.filter((x) => x.action === "drift.expected"))
    for (const id of annotationIds(a.detail)) uses.set(id, (uses.get(id) ?? 0) + 1);
  const annotationsUsed = [...uses]
    .map(([id, n]) => {
      const a = input.annotations.find((x) => x.id === id);
      return { id, uses: n, kind: a?.kind ?? null, dataset: a?.dataset ?? null, note: a?.note ?? null };
    })
    .sort((a, b) => b.uses - a.uses || a.id.localeCompare(b.id));
  const breakingAcknowledged = auditIn
    .filter((a) => a.action === "impact.acknowledge")
    .flatMap((a) => {
      const pr = (a.detail as { pr?: unknown } | null)?.pr;
      if (typeof pr !== "number") return [];
      const merged = input.expectations.find((x) => x.pr === pr);
      return [
        { pr, by: a.actor, at: a.at.toISOString(), mergedAt: merged ? merged.mergedAt.toISOString() : null },
      ];
    });
  const notRecorded = [
    ...(input.canaries ? [] : ["canary outcomes (the store keeps no canaries yet)"]),
    ...(detect.unknown > 0
      ? [
          `the causing change of ${detect.unknown} finding(s) (only merges with \`expects:\` or a canary's regression are recorded)`,
        ]
      : []),
    ...(input.revertsMerged ? [] : ["whether revert pull requests merged"]),
    ...(input.owners ? [] : ["owners of upstream files (no configuration was read)"]),
  ];
  const report: Omit<ReviewReport, "changesSinceLast"> = {
    repo: input.repo,
    period: {
      cadence: period.cadence,
      key: period.key,
      start: period.start.toISOString(),
      end: period.end.toISOString(),
    },
    ...reviewIssueIdentity(period),
    findings: {
      opened: started.filter((e) => !e.reopened).length,
      reopened: started.filter((e) => e.reopened).length,
      resolved: ended.length,
      stillOpen: stillOpen.length,
      issues,
    },
    timeToDetect: { ...durationStats(detect.times), unknown: detect.unknown },
    timeToResolve: durationStats(resolveMs),
    resolveBuckets: BUCKETS.map((b, i) => ({
      label: b.label,
      count: resolveMs.filter((ms) => ms < b.below && ms >= (BUCKETS[i - 1]?.below ?? 0)).length,
    })),
    findingsPerWeek: weeksOf(
      period,
      started.map((e) => e.start),
    ),
    expectations: {
      met: count("met"),
      violated: count("violated"),
      inconclusive: count("inconclusive"),
      watching: input.expectations.filter(
        (x) => x.mergedAt < period.end && (x.state === "watching" || x.updatedAt >= period.end),
      ).length,
    },
    reverts: {
      opened: reverts.length,
      merged: input.revertsMerged ? revertRows.filter((r) => r.merged).length : null,
      prs: revertRows,
    },
    canaries: input.canaries ? canariesOf(input.canaries, period) : null,
    criedWolf,
    closedNothingLearned: auditIn.filter((a) => a.action === "drift.nothing-learned").length,
    annotationsUsed,
    upstream: upstreamOf(input, new Set([...started, ...stillOpen].map((e) => e.fingerprint))),
    breakingAcknowledged,
    notRecorded,
  };
  return { ...report, changesSinceLast: changesSince(report, input.previous) };
}
