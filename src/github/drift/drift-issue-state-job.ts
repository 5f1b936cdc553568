import { z } from "zod";
import { parseConfig } from "../../core/config/parse-config.js";
import { GitHubWriteError } from "../../core/errors.js";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { WebhookTargetSchema } from "../jobs/installation-octokit.js";
import { LEASE_TTL_MS } from "../lease-ttl.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { forgetReopenedIssue, learnFromClosedIssue } from "./learn-from-closed-issue.js";

export const DriftIssueStatePayloadSchema = WebhookTargetSchema.extend({
  issueNumber: z.number().int().positive(),
  fingerprint: z.string().min(8),
  action: z.enum(["closed", "reopened"]),
  actor: z.string().min(1),
  closedAt: z.string().nullable(),
});
export type DriftIssueStatePayload = z.infer<typeof DriftIssueStatePayloadSchema>;

/** Learns from a drift issue closed as not planned, or takes that back when it is reopened. */
export const driftIssueStateJob = defineJobKind("drift-issue-state", DriftIssueStatePayloadSchema);

/** Queues the state change once per delivery (a close, a reopen and a second close are three jobs). */
export async function enqueueDriftIssueState(input: {
  store: Pick<Store, "jobs">;
  payload: DriftIssueStatePayload;
  delivery: string;
  now: Date;
}): Promise<boolean> {
  const { payload } = input;
  const { created } = await enqueueJob(input.store, {
    kind: driftIssueStateJob,
    payload,
    idempotencyKey: `drift-issue-state:${repoKeyOf(payload.repo)}:${payload.issueNumber}:${payload.action}:${input.delivery}`,
    now: input.now,
  });
  return created;
}

/** The job, under the finding's lease as triage holds it. */
export async function runDriftIssueState(target: RepoTarget, payload: DriftIssueStatePayload): Promise<void> {
  const { deps, log, repoKey } = target;
  const { fingerprint, action } = payload;
  const common = { ...target, fingerprint, issueNumber: payload.issueNumber, actor: payload.actor };
  const run = async () => {
    if (action === "reopened") return (await forgetReopenedIssue(common)) ? "unlearned" : "nothing to undo";
    const loaded = await loadRepoConfig(target);
    if (!loaded.ok)
      log.warn({ repo: repoKey, problems: loaded.error.problems }, "config invalid; using the defaults");
    const config = loaded.ok ? loaded.config : parseConfig(undefined);
    if (!config.signals.learnFromClosed) return "learning is off (signals.learnFromClosed: false)";
    return learnFromClosedIssue({
      ...common,
      config,
      closedAt: payload.closedAt ?? deps.clock().toISOString(),
    });
  };
  const outcome = await withLease(
    {
      store: deps.store,
      name: `finding:${repoKey}:${fingerprint}`,
      owner: leaseOwner("issue-state"),
      clock: deps.clock,
      ttlMs: LEASE_TTL_MS,
      waitMs: 60_000,
    },
    run,
  );
  if (!outcome.acquired)
    throw new GitHubWriteError(
      `Finding ${fingerprint.slice(0, 12)} stayed busy with another job; retrying later.`,
    );
  log.info(
    { repo: repoKey, issue: payload.issueNumber, action, fingerprint, outcome: outcome.value },
    "handled drift issue state change",
  );
}
