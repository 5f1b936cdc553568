import { createHash } from "node:crypto";
import { z } from "zod";
import { sameRepo } from "../../core/config/config-file-ref.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { renderSharedConfigSection } from "../../core/render/render-shared-config-section.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { findSharedConfigImpact } from "../config/shared-config-impact.js";
import { CommitShaSchema as Sha } from "../handlers/event-schemas.js";
import { WebhookTargetSchema } from "../jobs/installation-octokit.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { createRepoReader } from "../repo-reader.js";
import { planImpactCheck } from "../services/plan-impact-check.js";
import { upsertCheckRun } from "../writers/upsert-check-run.js";
import { runImpactCheck } from "./run-impact-check.js";

export const ImpactCheckPayloadSchema = WebhookTargetSchema.extend({
  pr: z.number().int().positive(),
  baseSha: Sha,
  headSha: Sha,
  prBody: z.string().nullable().describe("The body whose `expects:` block the check validates."),
});
export type ImpactCheckPayload = z.infer<typeof ImpactCheckPayloadSchema>;

/** Writes the "Backflow: contract impact" check run of one pull request head; enqueued by `pull_request` events. */
export const impactCheckJob = defineJobKind("impact-check", ImpactCheckPayloadSchema);

/**
 * The key of an impact check: one per repository, head, base and body, so a redelivery (or a second
 * instance receiving the same event) enqueues nothing new while the first is queued or running.
 */
export function impactCheckJobKey(payload: ImpactCheckPayload): string {
  const body = createHash("sha256")
    .update(payload.prBody ?? "")
    .digest("hex")
    .slice(0, 16);
  return `impact-check:${repoKeyOf(payload.repo)}:${payload.pr}:${payload.baseSha}:${payload.headSha}:${body}`;
}

/** Queues the impact check; false when the same check is already queued or running. */
export async function enqueueImpactCheck(input: {
  store: Pick<Store, "jobs">;
  payload: ImpactCheckPayload;
  now: Date;
}): Promise<boolean> {
  const { created } = await enqueueJob(input.store, {
    kind: impactCheckJob,
    payload: input.payload,
    idempotencyKey: impactCheckJobKey(input.payload),
    now: input.now,
  });
  return created;
}

/**
 * The job: validate the head's config, then analyse base vs head and write the check run. A run a
 * dead worker left `in_progress` is found (stored id, or by name and head SHA) and completed.
 */
export async function runImpactCheckJob(
  target: RepoTarget,
  payload: ImpactCheckPayload,
  signal?: AbortSignal,
): Promise<void> {
  const { octokit, owner, repo, log } = target;
  const { pr, baseSha, headSha, prBody } = payload;
  const reader = createRepoReader({ octokit, owner, repo });
  const config = await loadRepoConfig({ octokit, owner, repo, reader, ref: headSha, log });
  if (config.ok) {
    await runImpactCheck({
      ...target,
      pr,
      baseSha,
      headSha,
      prBody,
      config: config.config,
      ...(signal ? { signal } : {}),
    });
    return;
  }
  log.warn(
    { repo: target.repoKey, pr, headSha, problems: config.error.problems },
    "config at head is invalid",
  );
  // The pull request "changes the config" when it changes the file or a base of it in this repository.
  const ownPaths = new Set([
    CONFIG_PATH,
    ...config.bases.filter((b) => sameRepo(b, target)).map((b) => b.path),
  ]);
  const changed = await reader.compare(baseSha, headSha);
  const content = await planImpactCheck({
    config,
    changesConfig: async () =>
      changed.some(
        (f) => ownPaths.has(f.path) || (f.previousPath !== undefined && ownPaths.has(f.previousPath)),
      ),
  });
  // A shared file that does not validate still names the repositories it would break.
  const shared = await findSharedConfigImpact({
    ...target,
    store: target.deps.store,
    baseSha,
    headSha,
    changed,
    reader,
  });
  const section = renderSharedConfigSection(shared ?? undefined);
  await upsertCheckRun({
    ...target,
    headSha,
    content: section ? { ...content, summary: `${content.summary}\n\n${section}` } : content,
  });
}
