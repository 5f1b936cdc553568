import type { Context } from "probot";
import { z } from "zod";
import type { AppDeps } from "../app-deps.js";
import { enqueueValidateConfig } from "../config/validate-config-job.js";
import type { InstallationOctokits } from "../jobs/installation-octokit.js";
import { parseEvent } from "./parse-event.js";

const InstallationEventSchema = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int().positive() }),
  sender: z.object({ login: z.string().min(1) }),
  repositories: z.array(z.object({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/) })).nullish(),
  repositories_added: z.array(z.object({ full_name: z.string() })).nullish(),
  repositories_removed: z.array(z.object({ full_name: z.string() })).nullish(),
});

/** The installation events after which cached installation ids may be wrong. */
export const INSTALLATION_EVENTS = ["installation", "installation_repositories"] as const;

/**
 * Any installation event (created, deleted, suspended, repositories added or removed) makes the job
 * Octokits look the installation id up again: a reinstall works without a restart.
 */
export function handleInstallationChange(installations: Pick<InstallationOctokits, "forget"> | undefined) {
  return async (context: Context<(typeof INSTALLATION_EVENTS)[number]>): Promise<void> => {
    const event = parseEvent(context, InstallationEventSchema);
    const repos = [
      ...(event.repositories ?? []),
      ...(event.repositories_added ?? []),
      ...(event.repositories_removed ?? []),
    ];
    installations?.forget(
      event.action === "created" || event.action === "deleted" ? undefined : repos.map((r) => r.full_name),
    );
    context.log.debug({ action: event.action, repos: repos.length }, "forgot cached installation ids");
  };
}

/** The events that give Backflow new repositories: an install, or repositories added to one. */
export const INSTALLED_REPOSITORY_EVENTS = [
  "installation.created",
  "installation_repositories.added",
] as const;

/**
 * When Backflow is installed, or repositories are added to its installation, queue the validation of
 * each repository's `.github/backflow.yml` on its default branch (one job per repository, so one
 * failing does not stop the others). Validating records what each configuration extends, which the
 * impact check of a change to a shared file reads.
 */
export function handleInstallationCreated(deps: AppDeps) {
  return async (context: Context<(typeof INSTALLED_REPOSITORY_EVENTS)[number]>): Promise<void> => {
    const event = parseEvent(context, InstallationEventSchema);
    const added = event.action === "added";
    for (const { full_name: repo } of (added ? event.repositories_added : event.repositories) ?? []) {
      await enqueueValidateConfig({
        store: deps.store,
        payload: {
          repo,
          installationId: event.installation.id,
          actor: event.sender.login,
          trigger: added ? "installation_repositories.added" : "installation.created",
        },
        delivery: context.id,
        now: deps.clock(),
      });
    }
    const count = (added ? event.repositories_added : event.repositories)?.length ?? 0;
    context.log.info({ repos: count, action: event.action }, "queued config validation on install");
  };
}
