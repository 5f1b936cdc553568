import { z } from "zod";
import { RepoFullNameSchema, repoKeyOf } from "../../core/github/repo-key.js";
import { ProposalKindSchema } from "../../core/proposals/file-edit.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";

export const OpenProposalPayloadSchema = z.strictObject({
  repo: RepoFullNameSchema,
  installationId: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Informational: the worker authenticates per repository."),
  fingerprint: z.string().min(8),
  kind: ProposalKindSchema,
  issueNumber: z.number().int().positive().optional(),
  commitSha: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/i)
    .optional()
    .describe("The commit to revert (kind revert)."),
  direction: z
    .enum(["tighten", "relax"])
    .optional()
    .describe("Contract changes: relax a rule an analyst confirmed was wrong."),
});
export type OpenProposalPayload = z.infer<typeof OpenProposalPayloadSchema>;

/** Opens or refreshes the draft PR of a proposal; enqueued by triage (auto mode) and `/backflow propose` / `rollback`. */
export const openProposalJob = defineJobKind("open-proposal", OpenProposalPayloadSchema);

/** The idempotency key of an open-proposal job: one per finding, kind and commit at a time. */
export function openProposalJobKey(payload: OpenProposalPayload): string {
  return `open-proposal:${repoKeyOf(payload.repo)}:${payload.fingerprint}:${payload.kind}:${payload.commitSha ?? ""}:${payload.direction ?? ""}`;
}

/** Queues the proposal, once per finding, kind and commit; false when it is already queued. */
export async function enqueueOpenProposal(input: {
  store: Pick<Store, "jobs">;
  payload: OpenProposalPayload;
  now: Date;
}): Promise<boolean> {
  const { created } = await enqueueJob(input.store, {
    kind: openProposalJob,
    payload: input.payload,
    idempotencyKey: openProposalJobKey(input.payload),
    now: input.now,
  });
  return created;
}
