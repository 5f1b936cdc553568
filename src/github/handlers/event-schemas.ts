import { z } from "zod";
import type { WebhookTarget } from "../jobs/installation-octokit.js";

/** The repository and installation every repository event carries; Backflow's jobs need both. */
export const RepoEventSchema = z.object({
  repository: z.object({
    name: z.string().min(1),
    owner: z.object({ login: z.string().min(1) }),
    default_branch: z.string().min(1).optional(),
  }),
  installation: z.object({ id: z.number().int().positive() }),
  sender: z.object({ login: z.string().min(1), type: z.string().optional() }),
});
export type RepoEvent = z.infer<typeof RepoEventSchema>;

/** A full commit SHA, as events and job payloads carry it. */
export const CommitShaSchema = z.string().regex(/^[0-9a-f]{40}$/i, "a 40-character commit SHA");

/** The user (or bot) an event names, as far as Backflow reads it. */
export const UserSchema = z.object({ login: z.string().min(1), type: z.string().optional() });

/** Where a job for this event runs: the repository as GitHub spells it and the installation. */
export function webhookTargetOf(event: RepoEvent): WebhookTarget {
  return {
    repo: `${event.repository.owner.login}/${event.repository.name}`,
    installationId: event.installation.id,
  };
}
