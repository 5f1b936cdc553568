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

/**
 * When Backflow is installed, queue the validation of each repository's `.github/backflow.yml` on
 * its default branch (one job per repository, so one failing does not stop the others).
 */
export function handleInstallationCreated(deps: AppDeps) {
  return async (context: Context<"installation.created">): Promise<void> => {
    const event = parseEvent(context, InstallationEventSchema);
    for (const { full_name: repo } of event.repositories ?? []) {
      await enqueueValidateConfig({
        store: deps.store,
        payload: {
          repo,
          installationId: event.installation.id,
          actor: event.sender.login,
          trigger: "installation.created",
        },
        delivery: context.id,
        now: deps.clock(),
      });
    }
    context.log.info({ repos: event.repositories?.length ?? 0 }, "queued config validation on install");
  };
}
