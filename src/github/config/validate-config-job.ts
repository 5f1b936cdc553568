import { z } from "zod";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { CommitShaSchema } from "../handlers/event-schemas.js";
import { WebhookTargetSchema } from "../jobs/installation-octokit.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { buildConfigErrorIssue, CONFIG_ERROR_MARKER } from "../render-config-problems.js";
import { createRepoReader } from "../repo-reader.js";
import { recordConfigValidation } from "../services/record-config-validation.js";
import { upsertTrackingIssue } from "../writers/upsert-tracking-issue.js";

export const ValidateConfigPayloadSchema = WebhookTargetSchema.extend({
  actor: z.string().min(1),
  trigger: z.enum(["push", "installation.created"]),
  push: z
    .strictObject({
      before: z.string(),
      after: CommitShaSchema,
      branch: z.string().min(1),
      /** The push payload's commit list was cut (GitHub lists 20): compare to know whether the config changed. */
      compare: z.boolean(),
    })
    .optional()
    .describe("For a push to the default branch; absent on install (the default branch is read)."),
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
  const at = payload.push ? payload.push.after : `install:${input.delivery}`;
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
 * issue open while the default branch's config is invalid (closed once it validates again).
 */
export async function runValidateConfig(target: RepoTarget, payload: ValidateConfigPayload): Promise<void> {
  const { octokit, owner, repo, deps, log, repoKey } = target;
  const reader = createRepoReader({ octokit, owner, repo });
  const push = payload.push;
  if (push?.compare) {
    const changed = await reader.compare(push.before, push.after);
    if (!changed.some((f) => f.path === CONFIG_PATH || f.previousPath === CONFIG_PATH)) {
      log.debug({ repo: repoKey, after: push.after }, "ignoring push that does not change the config");
      return;
    }
  }
  const result = await loadRepoConfig({
    octokit,
    owner,
    repo,
    reader,
    log,
    ...(push ? { ref: push.after } : {}),
  });
  await recordConfigValidation({
    store: deps.store,
    clock: deps.clock,
    repo: repoKey,
    ref: push?.after ?? "default-branch",
    result,
    actor: payload.actor,
    trigger: payload.trigger,
  });
  const fields = { repo: repoKey, ref: push?.after ?? "default-branch", valid: result.ok };
  if (!result.ok) log.warn({ ...fields, problems: result.error.problems }, "config is invalid");
  else log.info(fields, "config validated");
  if (!push) return;
  await upsertTrackingIssue({
    ...target,
    marker: CONFIG_ERROR_MARKER,
    desired: result.ok
      ? null
      : buildConfigErrorIssue({ error: result.error, sha: push.after, branch: push.branch }),
    closeComment: `${CONFIG_PATH} validates again as of ${push.after}. Closing.`,
  });
}
