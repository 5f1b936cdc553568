import { z } from "zod";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import { CommitShaSchema } from "../handlers/event-schemas.js";
import { WebhookTargetSchema } from "../jobs/installation-octokit.js";

export const AcknowledgeImpactPayloadSchema = WebhookTargetSchema.extend({
  headSha: CommitShaSchema,
  login: z.string().min(1).describe("Who pressed the acknowledge button."),
});
export type AcknowledgeImpactPayload = z.infer<typeof AcknowledgeImpactPayloadSchema>;

/** Checks who pressed "acknowledge breaking change" and, for an owner, re-runs the impact check. */
export const acknowledgeImpactJob = defineJobKind("acknowledge-impact", AcknowledgeImpactPayloadSchema);

/** Queues the acknowledgement: one per head SHA and person while it is queued or running. */
export async function enqueueAcknowledgeImpact(input: {
  store: Pick<Store, "jobs">;
  payload: AcknowledgeImpactPayload;
  now: Date;
}): Promise<boolean> {
  const { payload } = input;
  const { created } = await enqueueJob(input.store, {
    kind: acknowledgeImpactJob,
    payload,
    idempotencyKey: `acknowledge-impact:${repoKeyOf(payload.repo)}:${payload.headSha}:${payload.login.toLowerCase()}`,
    now: input.now,
  });
  return created;
}
