import type { BackflowConfig } from "../../core/config/schema.js";
import {
  renderLearnedComment,
  renderNothingLearnedComment,
  renderUnlearnedComment,
} from "../../core/triage/describe-tolerance.js";
import type { Evaluation } from "../../core/triage/evaluation-schema.js";
import { learnTolerance } from "../../core/triage/learn-tolerance.js";
import {
  type LearnedEntry,
  type LearnedTolerance,
  LearnedToleranceSchema,
  learnedToleranceKey,
  withLearnedEntry,
  withoutIssue,
} from "../../core/triage/learned-tolerance.js";
import { resolveThreshold } from "../../core/triage/thresholds.js";
import type { FindingRecord, Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { postComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";

/** The learned tolerance of a finding, or undefined (a record that does not parse is ignored, not fatal). */
export async function readLearnedTolerance(input: {
  store: Store;
  repo: string;
  fingerprint: string;
}): Promise<LearnedTolerance | undefined> {
  const raw = await input.store.repoState.get({
    repo: input.repo,
    key: learnedToleranceKey(input.fingerprint),
  });
  const parsed = LearnedToleranceSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export type IssueEventTarget = RepoTarget & {
  readonly fingerprint: string;
  readonly issueNumber: number;
  /** The person who closed or reopened the issue. */
  readonly actor: string;
};

export type LearnResult = "learned" | "nothing-learned" | "not-current" | "no-record" | "already-handled";

async function comment(target: IssueEventTarget, body: string): Promise<void> {
  await postComment(writerFor(target), { issueNumber: target.issueNumber, body });
}

/** Audits who changed what Backflow learned; a dry run changed nothing, so records nothing. */
async function audit(target: IssueEventTarget, action: string, detail: unknown): Promise<void> {
  if (target.deps.dryRun) return;
  await target.deps.store.audit.record({
    at: target.deps.clock(),
    actor: target.actor,
    action,
    repo: target.repoKey,
    target: target.fingerprint,
    detail,
  });
}

function entryOf(target: IssueEventTarget, record: FindingRecord, input: LearnInput): LearnedEntry | string {
  const { finding } = record;
  const resolved = resolveThreshold({
    config: input.config,
    tableId: finding.tableId ?? finding.dataset.toLowerCase(),
    ...(finding.column ? { column: finding.column.toLowerCase() } : {}),
    metric: finding.metric,
    kind: finding.kind,
    ...(finding.unit ? { unit: finding.unit } : {}),
  });
  const outcome = learnTolerance({
    threshold: finding.threshold,
    metric: finding.metric,
    kind: finding.kind,
    ...(finding.unit ? { unit: finding.unit } : {}),
    direction: resolved.rule.direction,
    evaluations: input.evaluations,
    closedAt: input.closedAt,
    ...(resolved.rule.recoverAfter !== undefined ? { recoverAfter: resolved.rule.recoverAfter } : {}),
  });
  if (!outcome.learned) return outcome.reason;
  return {
    issue: target.issueNumber,
    metric: finding.metric,
    closedBy: target.actor,
    closedAt: input.closedAt,
    old: outcome.old,
    worst: outcome.worst,
    learned: outcome.bounds,
    breaches: outcome.breaches,
  };
}

type LearnInput = { config: BackflowConfig; closedAt: string; evaluations: readonly Evaluation[] };

/**
 * A person closed the finding's drift issue as not planned: the limits its latest breaches went past
 * are relaxed just past them (stored in repoState per fingerprint), the finding is marked resolved so
 * the next healthy value does not touch the issue, the change is audited, and the issue gets one
 * comment saying what was learned. The caller holds the finding's lease.
 */
export async function learnFromClosedIssue(
  target: IssueEventTarget & { readonly config: BackflowConfig; readonly closedAt: string },
): Promise<LearnResult> {
  const { store } = target.deps;
  const { repoKey: repo, fingerprint } = target;
  const record = await store.findings.get({ repo, fingerprint });
  if (!record) return "no-record";
  // An older issue of the finding speaks for an episode the store no longer tells apart.
  if (record.issueNumber !== target.issueNumber) return "not-current";
  const doneKey = `closed-not-planned:${fingerprint}:${target.issueNumber}:${target.closedAt}`;
  if (await store.repoState.get({ repo, key: doneKey })) return "already-handled";
  const evaluations = await store.findings.evaluations({ repo, fingerprint });
  const entry = entryOf(target, record, { config: target.config, closedAt: target.closedAt, evaluations });
  const now = target.deps.clock();
  if (target.deps.dryRun) {
    target.log.info({ repo, fingerprint, entry }, "dry run: would record a learned tolerance");
  } else if (typeof entry !== "string") {
    const tolerance = withLearnedEntry(
      await readLearnedTolerance({ store, repo, fingerprint }),
      fingerprint,
      entry,
    );
    await store.repoState.put({ repo, key: learnedToleranceKey(fingerprint), value: tolerance, now });
    await store.findings.transition({ repo, fingerprint, from: "open", to: "resolved", now });
  }
  await audit(
    target,
    typeof entry === "string" ? "drift.nothing-learned" : "drift.learned",
    typeof entry === "string" ? { issue: target.issueNumber, reason: entry } : entry,
  );
  await comment(
    target,
    typeof entry === "string" ? renderNothingLearnedComment(entry) : renderLearnedComment(entry),
  );
  if (!target.deps.dryRun) await store.repoState.put({ repo, key: doneKey, value: true, now });
  return typeof entry === "string" ? "nothing-learned" : "learned";
}

/**
 * A person reopened a drift issue Backflow had learned from: what it taught is removed, the finding
 * is open again (so triage keeps the issue current and closes it on recovery), and the issue says so.
 * Returns false when the issue had taught nothing (or a redelivery already removed it).
 */
export async function forgetReopenedIssue(target: IssueEventTarget): Promise<boolean> {
  const { store } = target.deps;
  const { repoKey: repo, fingerprint } = target;
  const tolerance = await readLearnedTolerance({ store, repo, fingerprint });
  const entry = tolerance?.entries.find((e) => e.issue === target.issueNumber);
  if (!tolerance || !entry) return false;
  const remaining = withoutIssue(tolerance, target.issueNumber);
  const now = target.deps.clock();
  if (target.deps.dryRun) {
    target.log.info({ repo, fingerprint, entry }, "dry run: would remove a learned tolerance");
  } else {
    const key = learnedToleranceKey(fingerprint);
    if (remaining) await store.repoState.put({ repo, key, value: remaining, now });
    else await store.repoState.delete({ repo, key });
    const record = await store.findings.get({ repo, fingerprint });
    if (record?.issueNumber === target.issueNumber && record.state === "resolved")
      await store.findings.transition({ repo, fingerprint, from: "resolved", to: "open", now });
  }
  await audit(target, "drift.unlearned", entry);
  await comment(target, renderUnlearnedComment(entry, remaining?.entries ?? []));
  return true;
}
