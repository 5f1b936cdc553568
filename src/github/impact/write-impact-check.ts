import { ACKNOWLEDGE_ACTION } from "../../core/impact/decide-conclusion.js";
import {
  ANNOTATIONS_PER_REQUEST,
  type ImpactAnnotation,
} from "../../core/render/render-impact-annotations.js";
import type { RepoTarget } from "../app-deps.js";
import { IMPACT_CHECK_NAME } from "../services/plan-impact-check.js";
import { checkRunHash, checkRunKey } from "../writers/upsert-check-run.js";
import type { ApiCounter } from "./load-snapshots.js";

/** The acknowledge button, named here for the handler that receives its presses. */
export const ACK_ACTION = ACKNOWLEDGE_ACTION;

export type ImpactCheckContent = {
  readonly conclusion: "success" | "neutral" | "failure" | "action_required";
  readonly title: string;
  readonly summary: string;
  /** The check run's details (`output.text`, its own 65,535-character budget): every list in full. */
  readonly text?: string;
  readonly annotations: readonly ImpactAnnotation[];
  readonly offerAcknowledgement: boolean;
};

type Target = RepoTarget & {
  readonly headSha: string;
  readonly api: ApiCounter;
};

type Stored = { id: number; hash: string };

/** The hash the writer remembers: what the user sees, annotations and button included. */
export function impactContentHash(content: ImpactCheckContent): string {
  const extra = JSON.stringify([content.annotations, content.offerAcknowledgement]);
  return checkRunHash({
    conclusion: content.conclusion,
    title: content.title,
    summary: content.summary,
    text: `${content.text ?? ""}\n${extra}`,
  });
}

/**
 * Finds or creates the SHA's impact check run (`in_progress` while Backflow works). Callers hold the
 * per-SHA lease, so a redelivery finds the stored id and never creates a second run; an existing
 * run is left as it is until the new result is written.
 */
export async function startImpactCheck(target: Target): Promise<Stored> {
  const { octokit, deps, owner, repo, headSha, api } = target;
  const repoName = target.repoKey;
  const key = checkRunKey(IMPACT_CHECK_NAME, headSha);
  const stored = await deps.store.repoState.get<Stored>({ repo: repoName, key });
  if (stored) return stored;
  api.calls++;
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    owner,
    repo,
    ref: headSha,
    check_name: IMPACT_CHECK_NAME,
    filter: "latest",
    per_page: 100,
    ...(deps.appId === undefined ? {} : { app_id: deps.appId }),
  });
  const found = runs.find((run) => run.name === IMPACT_CHECK_NAME && run.head_sha === headSha);
  let run: Stored;
  if (found) run = { id: found.id, hash: "adopted" };
  else if (deps.dryRun) {
    // Nothing is created, so nothing is remembered: the next (real) run starts from GitHub again.
    const payload = { owner, repo, name: IMPACT_CHECK_NAME, head_sha: headSha, status: "in_progress" };
    target.log.info({ payload }, "dry run: would create the impact check run in progress");
    return { id: 0, hash: "dry-run" };
  } else {
    api.calls++;
    const { data } = await octokit.rest.checks.create({
      owner,
      repo,
      name: IMPACT_CHECK_NAME,
      head_sha: headSha,
      status: "in_progress",
      started_at: deps.clock().toISOString(),
    });
    run = { id: data.id, hash: "in_progress" };
    deps.metrics?.checkRunsWritten.inc({ action: "created" });
    target.log.info({ repo: repoName, headSha, checkRunId: data.id }, "created impact check run in progress");
  }
  await deps.store.repoState.put({ repo: repoName, key, value: run, now: deps.clock() });
  return run;
}

/**
 * Completes the check run with the result, unless it already says exactly that. Annotations go 50
 * per request (GitHub's limit): the first batch with the conclusion, the rest as further updates.
 */
export async function completeImpactCheck(
  target: Target & { run: Stored; content: ImpactCheckContent },
): Promise<"updated" | "unchanged"> {
  const { octokit, deps, owner, repo, headSha, run, content, api } = target;
  const hash = impactContentHash(content);
  if (run.hash === hash) return "unchanged";
  const output = {
    title: content.title,
    summary: content.summary,
    ...(content.text ? { text: content.text } : {}),
  };
  if (deps.dryRun) {
    const payload = {
      owner,
      repo,
      check_run_id: run.id,
      status: "completed",
      conclusion: content.conclusion,
      output,
    };
    target.log.info(
      {
        payload,
        annotations: content.annotations.length,
        offerAcknowledgement: content.offerAcknowledgement,
      },
      "dry run: would complete the impact check run",
    );
    return "unchanged";
  }
  const batches: ImpactAnnotation[][] = [];
  for (let i = 0; i < content.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(content.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  api.calls++;
  await octokit.rest.checks.update({
    owner,
    repo,
    check_run_id: run.id,
    status: "completed",
    conclusion: content.conclusion,
    completed_at: deps.clock().toISOString(),
    output: { ...output, ...(batches[0] ? { annotations: batches[0] } : {}) },
    actions: content.offerAcknowledgement ? [ACK_ACTION] : [],
  });
  for (const batch of batches.slice(1)) {
    api.calls++;
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      output: { ...output, annotations: batch },
    });
  }
  const repoName = target.repoKey;
  await deps.store.repoState.put({
    repo: repoName,
    key: checkRunKey(IMPACT_CHECK_NAME, headSha),
    value: { id: run.id, hash },
    now: deps.clock(),
  });
  deps.metrics?.checkRunsWritten.inc({ action: "updated" });
  target.log.info(
    { repo: repoName, headSha, checkRunId: run.id, conclusion: content.conclusion },
    "completed impact check run",
  );
  return "updated";
}
