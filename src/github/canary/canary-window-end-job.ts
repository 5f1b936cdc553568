import { z } from "zod";
import { RepoFullNameSchema } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";

export const CanaryWindowEndPayloadSchema = z.strictObject({
  repo: RepoFullNameSchema,
  id: z.string().min(1).describe("The canary's id, `<repo>#<pr>`."),
});
export type CanaryWindowEndPayload = z.infer<typeof CanaryWindowEndPayloadSchema>;

/** At the end of a canary's window: its outcome (clean, regressed, no signal) and the closing comment. */
export const canaryWindowEndJob = defineJobKind("canary-window-end", CanaryWindowEndPayloadSchema);

/** Queues the window-end run of a canary at `runAt`, once per canary however often the merge is redelivered. */
export async function enqueueCanaryWindowEnd(input: {
  store: Pick<Store, "jobs">;
  /** `owner/name` as GitHub spells it, for the job's API calls. */
  repo: string;
  id: string;
  runAt: Date;
  now: Date;
}): Promise<void> {
  await enqueueJob(input.store, {
    kind: canaryWindowEndJob,
    payload: { repo: input.repo, id: input.id },
    idempotencyKey: `canary-window-end:${input.id}`,
    runAt: input.runAt,
    now: input.now,
  });
}
