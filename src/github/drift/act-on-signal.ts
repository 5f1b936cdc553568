import { GitHubWriteError } from "../../core/errors.js";
import { renderDriftIssue } from "../../core/render/render-drift-issue.js";
import type { Signal } from "../../core/signals/signal-schema.js";
import { decideDriftComment, type FindingRecordState } from "../../core/triage/finding-record.js";
import {
  afterIssueWrite,
  findingToWrite,
  historyWithout,
  needsSuspectCommits,
  planSignal,
  type SignalAudit,
} from "../../core/triage/signal-action.js";
import { type Finding, type FindingKey, triageSignal } from "../../core/triage/triage-signal.js";
import type { FindingRecord } from "../../store/store.js";
import { attributePullRequests } from "./attribute-pull-requests.js";
import { followUpProposals } from "./follow-up-proposals.js";
import { assignableUsers } from "./issue-people.js";
import { readLearnedTolerance } from "./learn-from-closed-issue.js";
import { ownersOfFinding } from "./triage-context.js";
import { COMMIT_DAYS, commitsOf, type TriageRun } from "./triage-run.js";
import { closeDriftIssue, type DriftIssueOutcome, upsertDriftIssue } from "./upsert-drift-issue.js";

export type ActResult = {
  readonly signalId: string;
  readonly fingerprint: string;
  readonly decision: Finding["decision"];
  readonly action: DriftIssueOutcome["action"] | "recorded";
  readonly issue: number | null;
};

type Judged = { finding: Finding; record: FindingRecord | null; now: Date; signal: Signal };

/**
 * Reads the fingerprint's stored history and judges the signal against it (core), ranking suspects
 * recently changed first; stores the history point.
 */
async function judge(run: TriageRun, signal: Signal, key: FindingKey): Promise<Judged> {
  const { store } = run.deps;
  const repo = run.repoKey;
  const { fingerprint } = key;
  const [record, history, annotations, learned] = await Promise.all([
    store.findings.get({ repo, fingerprint }),
    store.findings.evaluations({ repo, fingerprint }),
    store.annotations.listActive({ repo, at: new Date(signal.observedAt) }),
    readLearnedTolerance({ store, repo, fingerprint }),
  ]);
  const input = {
    signal,
    repo,
    key,
    config: run.context.config,
    graph: run.context.graph,
    dbtProjects: run.context.dbtProjects,
    history: historyWithout(history, signal),
    annotations,
    contracts: run.context.slas,
    ...(record ? { currentlyOpen: record.state === "open" } : {}),
    ...(record?.lastCommentAt ? { lastCommentAt: record.lastCommentAt.toISOString() } : {}),
    ...(learned ? { learned } : {}),
  };
  let finding = triageSignal(input);
  if (needsSuspectCommits(finding)) {
    const files = finding.suspects.flatMap((s) => (s.file ? [s.file] : []));
    const commits = await commitsOf(run, files);
    const changed = new Set([...commits].filter(([, list]) => list.length > 0).map(([file]) => file));
    if (changed.size > 0) finding = triageSignal({ ...input, recentlyChanged: changed });
  }
  await store.findings.addEvaluation({ repo, fingerprint, evaluation: finding.evaluation });
  return { finding, record, now: run.deps.clock(), signal };
}

async function writeOpen(run: TriageRun, judged: Judged): Promise<DriftIssueOutcome> {
  const { finding, record, now, signal } = judged;
  const repo = run.repoKey;
  const history = (
    await run.deps.store.findings.evaluations({ repo, fingerprint: finding.fingerprint })
  ).filter((e) => e.metric === finding.metric);
  const files = finding.suspects.flatMap((s) => (s.file ? [s.file] : []));
  const commits = await commitsOf(run, files);
  const owners = ownersOfFinding(run.context, finding);
  const pullRequests = await attributePullRequests({ run, finding, commits, history });
  return upsertDriftIssue({
    ...run,
    api: run.api,
    finding,
    record,
    label: run.context.config.labels.drift,
    now,
    dryRun: run.deps.dryRun ?? false,
    comment: decideDriftComment(judged),
    assignees: () => assignableUsers({ ...run, owners }),
    render: (previousIssue) =>
      renderDriftIssue({
        finding,
        signal,
        history,
        owner: run.owner,
        repo: run.repo,
        sha: run.context.sha,
        graph: run.context.graph,
        commits,
        commitDays: COMMIT_DAYS,
        owners,
        mentionTeams: run.context.config.assignTeams,
        ...(previousIssue !== undefined ? { previousIssue } : {}),
        pullRequests,
      }),
  });
}

/**
 * Stores triage's record by compare-and-set against the record it read: a person's snooze or
 * resolve that landed meanwhile is merged in (core decides how), never overwritten.
 */
async function storeFinding(run: TriageRun, judged: Judged, next: FindingRecordState): Promise<void> {
  const { store } = run.deps;
  let seen = judged.record;
  for (let attempt = 0; attempt < 5; attempt++) {
    const write = findingToWrite(judged.record, seen, next);
    if (await store.findings.put(write, { ifUpdatedAt: seen?.updatedAt ?? null })) return;
    seen = await store.findings.get({ repo: next.repo, fingerprint: next.fingerprint });
  }
  throw new GitHubWriteError(
    `finding ${next.fingerprint.slice(0, 12)} kept changing while triage wrote it; retrying`,
  );
}

/**
 * Judges one signal (the caller holds the fingerprint's lease and computed its key once), stores its
 * history point, and acts: read → core decision (planSignal, afterIssueWrite) → writers. It opens or
 * updates the drift issue, closes it on recovery, or only records expected, quiet and unmatched
 * signals (an unmatched dataset is audited, never guessed). `signal` (the job's) stops it before any write.
 */
export async function actOnSignal(
  run: TriageRun,
  signal: Signal,
  key: FindingKey,
  abort?: AbortSignal,
): Promise<ActResult> {
  const judged = await judge(run, signal, key);
  const { finding, record } = judged;
  const { fingerprint } = key;
  const result = (action: ActResult["action"], issue: number | null): ActResult => ({
    signalId: signal.id,
    fingerprint,
    decision: finding.decision,
    action,
    issue,
  });
  const audit = (entry: SignalAudit) =>
    run.deps.store.audit.record({
      at: judged.now,
      actor: "backflow",
      action: entry.action,
      repo: finding.repo,
      target: fingerprint,
      detail: { signalId: signal.id, ...entry.detail },
    });
  const plan = planSignal(finding);
  if (plan.kind === "record") {
    if (plan.audit) await audit(plan.audit);
    if (plan.warnUnmatched)
      run.log.warn(
        { repo: finding.repo, dataset: finding.dataset, candidates: finding.candidates },
        "signal dataset matches no lineage table; add signals.datasets to the config",
      );
    return result("recorded", record?.issueNumber ?? null);
  }
  abort?.throwIfAborted();
  const outcome =
    plan.kind === "write-issue"
      ? await writeOpen(run, judged)
      : await closeDriftIssue({
          ...run,
          finding,
          record,
          label: run.context.config.labels.drift,
          now: judged.now,
          dryRun: run.deps.dryRun ?? false,
        });
  const after = afterIssueWrite(judged, plan.kind, outcome);
  await storeFinding(run, judged, after.record);
  if (after.audit) await audit(after.audit);
  await followUpProposals({
    run,
    finding,
    opened: after.opened,
    issueNumber: outcome.number ?? null,
    now: judged.now,
  });
  return result(outcome.action, outcome.number);
}
