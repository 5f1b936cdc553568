import { z } from "zod";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { RepoFullNameSchema, repoKeyOf } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { CommitShaSchema } from "../handlers/event-schemas.js";
import { WebhookTargetSchema } from "../jobs/installation-octokit.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { buildConfigErrorIssue, CONFIG_ERROR_MARKER } from "../render-config-problems.js";
import { resolveDefaultBranch } from "../repo-context/load-repo-context.js";
import { createRepoReader } from "../repo-reader.js";
import { ensureReviewScheduled } from "../review/review-job.js";
import { recordConfigValidation } from "../services/record-config-validation.js";
import { upsertTrackingIssue } from "../writers/upsert-tracking-issue.js";
import { dependentsOf, watchedConfigPaths } from "./config-dependents.js";

export const ValidateConfigPayloadSchema = WebhookTargetSchema.extend({
  actor: z.string().min(1),
  trigger: z.enum(["push", "installation.created", "installation_repositories.added", "shared-config"]),
  push: z
    .strictObject({
      before: z.string(),
      after: CommitShaSchema,
      branch: z.string().min(1),
      /** The push payload's commit list was cut (GitHub lists 20): compare to know whether the config changed. */
      compare: z.boolean(),
      /** The config paths the push changed (its own file, a base in this repository, a shared file). */
      paths: z.array(z.string()).optional(),
    })
    .optional()
    .describe("For a push to the default branch; absent on install (the default branch is read)."),
  shared: z
    .strictObject({ from: RepoFullNameSchema, after: CommitShaSchema })
    .optional()
    .describe(
      "For `shared-config`: the push to a shared file this repository extends (its default branch is read).",
    ),
});
export type ValidateConfigPayload = z.infer<typeof ValidateConfigPayloadSchema>;

/** Validates `.github/backflow.yml` after a push to the default branch or an install. */
export const validateConfigJob = defineJobKind("validate-config", ValidateConfigPayloadSchema);

/** Queues one validation per repository and pushed commit (or install delivery). */
export async function enqueueValidateConfig(input: {
  store: Pick<Store, "jobs">;
  payload: ValidateConfigPayload;
  delivery: string;
  now: Date;
}): Promise<boolean> {
  const { payload } = input;
  const at = payload.push
    ? payload.push.after
    : payload.shared
      ? `shared:${repoKeyOf(payload.shared.from)}@${payload.shared.after}`
      : `install:${input.delivery}`;
  const { created } = await enqueueJob(input.store, {
    kind: validateConfigJob,
    payload,
    idempotencyKey: `validate-config:${repoKeyOf(payload.repo)}:${at}`,
    now: input.now,
  });
  return created;
}

/**
 * The job: read and validate the config, record the result, and after a push keep one tracking
 * issue open while the default branch's config is invalid (closed once it validates again). A push
 * that changes a file other repositories extend re-validates each of them (`shared-config`), so their
 * tracking issues follow the shared file too.
 */
export async function runValidateConfig(target: RepoTarget, payload: ValidateConfigPayload): Promise<void> {
  const { octokit, owner, repo, deps, log, repoKey } = target;
  const reader = createRepoReader({ octokit, owner, repo });
  const push = payload.push;
  let changedPaths = push?.paths ?? [CONFIG_PATH];
  if (push?.compare) {
    const watched = await watchedConfigPaths(deps.store, repoKey);
    const changed = await reader.compare(push.before, push.after);
    changedPaths = changed
      .flatMap((f) => [f.path, ...(f.previousPath ? [f.previousPath] : [])])
      .filter((p) => watched.has(p));
    if (changedPaths.length === 0) {
      log.debug({ repo: repoKey, after: push.after }, "ignoring push that does not change the config");
      return;
    }
  }
  const at = push
    ? { sha: push.after, branch: push.branch }
    : payload.shared
      ? await resolveDefaultBranch({ octokit, owner, repo, api: { calls: 0 } })
      : undefined;
  const result = await loadRepoConfig({ octokit, owner, repo, reader, log, ...(at ? { ref: at.sha } : {}) });
  await recordConfigValidation({
    store: deps.store,
    clock: deps.clock,
    repo: repoKey,
    ref: at?.sha ?? "default-branch",
    result,
    actor: payload.actor,
    trigger: payload.trigger,
  });
  const fields = { repo: repoKey, ref: at?.sha ?? "default-branch", valid: result.ok };
  if (!result.ok) log.warn({ ...fields, problems: result.error.problems }, "config is invalid");
  else log.info(fields, "config validated");
  // The default branch's config was read: keep its review scheduled, dashboard or not (keyed per period).
  if (result.ok)
    await ensureReviewScheduled({
      store: deps.store,
      repo: `${owner}/${repo}`,
      installationId: payload.installationId,
      review: result.config.review,
      now: deps.clock(),
    });
  if (push) await revalidateDependents(target, payload, push.after, changedPaths);
  if (!at) return;
  await upsertTrackingIssue({
    ...target,
    marker: CONFIG_ERROR_MARKER,
    desired: result.ok
      ? null
      : buildConfigErrorIssue({ error: result.error, sha: at.sha, branch: at.branch }),
    closeComment: `${CONFIG_PATH} validates again as of ${at.sha}. Closing.`,
  });
}

/**
 * Queues a `shared-config` validation of every repository recorded as extending one of `paths`.
 * Only repositories of the same owner: the job runs with this installation's token, which reaches
 * another owner's repositories only when that owner installed Backflow the same way.
 */
async function revalidateDependents(
  target: RepoTarget,
  payload: ValidateConfigPayload,
  after: string,
  paths: readonly string[],
): Promise<void> {
  const { deps, log, repoKey, owner } = target;
  const dependents = await dependentsOf(deps.store, repoKey, paths);
  const [same, other] = [
    dependents.filter((d) => d.startsWith(`${owner.toLowerCase()}/`)),
    dependents.filter((d) => !d.startsWith(`${owner.toLowerCase()}/`)),
  ];
  if (other.length > 0) log.info({ repo: repoKey, other }, "not re-validating dependents of another owner");
  for (const dependent of same) {
    await enqueueValidateConfig({
      store: deps.store,
      payload: {
        repo: dependent,
        installationId: payload.installationId,
        actor: payload.actor,
        trigger: "shared-config",
        shared: { from: payload.repo, after },
      },
      delivery: `shared:${after}`,
      now: deps.clock(),
    });
  }
  if (same.length > 0)
    log.info({ repo: repoKey, dependents: same.length, paths }, "re-validating dependents");
}
