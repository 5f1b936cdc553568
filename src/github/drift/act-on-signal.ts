import { GitHubWriteError } from "../../core/errors.js";
import { renderDriftIssue } from "../../core/render/render-drift-issue.js";
import type { Signal } from "../../core/signals/signal-schema.js";
import type { Evaluation } from "../../core/triage/evaluation-schema.js";
import {
  decideDriftComment,
  mergeConcurrentFinding,
  nextFindingRecord,
} from "../../core/triage/finding-record.js";
import { type Finding, triageSignal } from "../../core/triage/triage-signal.js";
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

/** Judges the signal against the fingerprint's stored history, ranking suspects recently changed first. */
async function judge(run: TriageRun, signal: Signal, fingerprint: string): Promise<Judged> {
  const { store } = run.deps;
  const repo = run.repoKey;
  const [record, history, annotations, learned] = await Promise.all([
    store.findings.get({ repo, fingerprint }),
    store.findings.evaluations({ repo, fingerprint }),
    store.annotations.listActive({ repo, at: new Date(signal.observedAt) }),
    readLearnedTolerance({ store, repo, fingerprint }),
  ]);
  // The same measurement seen before (sent twice under two ids) must not count twice.
  const sameObservation = (e: Evaluation) =>
    Date.parse(e.observedAt) === Date.parse(signal.observedAt) && e.value === signal.measurement?.value;
  const input = {
    signal,
    repo,
    config: run.context.config,
    graph: run.context.graph,
    dbtProjects: run.context.dbtProjects,
    history: history.filter((e) => !sameObservation(e)),
    annotations,
    contracts: run.context.slas,
    ...(record ? { currentlyOpen: record.state === "open" } : {}),
    ...(record?.lastCommentAt ? { lastCommentAt: record.lastCommentAt.toISOString() } : {}),
    ...(learned ? { learned } : {}),
  };
  let finding = triageSignal(input);
  if (finding.decision === "open" || finding.decision === "update") {
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
async function storeFinding(run: TriageRun, judged: Judged, next: FindingRecord): Promise<void> {
  const { store } = run.deps;
  let seen = judged.record;
  for (let attempt = 0; attempt < 5; attempt++) {
    const write = seen === judged.record || !seen ? next : mergeConcurrentFinding(judged.record, seen, next);
    if (await store.findings.put(write, { ifUpdatedAt: seen?.updatedAt ?? null })) return;
    seen = await store.findings.get({ repo: next.repo, fingerprint: next.fingerprint });
  }
  throw new GitHubWriteError(
    `finding ${next.fingerprint.slice(0, 12)} kept changing while triage wrote it; retrying`,
  );
}

/**
 * Judges one signal (the caller holds the fingerprint's lease), stores its history point, and acts:
 * open or update the drift issue, close it on recovery, or only record expected, quiet and
 * unmatched signals (an unmatched dataset is audited, never guessed).
 */
export async function actOnSignal(run: TriageRun, signal: Signal, fingerprint: string): Promise<ActResult> {
  const judged = await judge(run, signal, fingerprint);
  const { finding, record } = judged;
  const result = (action: ActResult["action"], issue: number | null): ActResult => ({
    signalId: signal.id,
    fingerprint,
    decision: finding.decision,
    action,
    issue,
  });
  const audit = (action: string, detail: Record<string, unknown>) =>
    run.deps.store.audit.record({
      at: judged.now,
      actor: "backflow",
      action,
      repo: finding.repo,
      target: fingerprint,
      detail: { signalId: signal.id, ...detail },
    });
  if (finding.decision === "open" || finding.decision === "update") {
    const outcome = await writeOpen(run, judged);
    await storeFinding(
      run,
      judged,
      nextFindingRecord(judged, outcome, outcome.action === "declined" ? "resolved" : "open"),
    );
    if (outcome.action !== "unchanged")
      await audit(`drift.${outcome.action}`, { issue: outcome.number, reason: finding.reason });
    const opened = outcome.action === "created" || outcome.action === "reopened";
    await followUpProposals({ run, finding, opened, issueNumber: outcome.number ?? null, now: judged.now });
    return result(outcome.action, outcome.number);
  }
  if (finding.decision === "resolve") {
    const target = {
      ...run,
      finding,
      record,
      label: run.context.config.labels.drift,
      now: judged.now,
      dryRun: run.deps.dryRun ?? false,
    };
    const outcome = await closeDriftIssue(target);
    await storeFinding(run, judged, nextFindingRecord(judged, outcome, "resolved"));
    await audit(`drift.${outcome.action === "closed" ? "closed" : "resolved"}`, { issue: outcome.number });
    await followUpProposals({
      run,
      finding,
      opened: false,
      issueNumber: outcome.number ?? null,
      now: judged.now,
    });
    return result(outcome.action, outcome.number);
  }
  if (finding.decision === "unmatched") {
    await audit("drift.unmatched", {
      dataset: finding.dataset,
      candidates: finding.candidates,
      reason: finding.reason,
    });
    run.log.warn(
      { repo: finding.repo, dataset: finding.dataset, candidates: finding.candidates },
      "signal dataset matches no lineage table; add signals.datasets to the config",
    );
  }
  if (finding.decision === "expected")
    await audit("drift.expected", { annotations: finding.annotations.map((a) => a.id) });
  return result("recorded", record?.issueNumber ?? null);
}
