import type { Context } from "probot";
import { z } from "zod";
import { repoKeyOf } from "../../core/github/repo-key.js";
import type { AppDeps } from "../app-deps.js";
import { watchedConfigPaths } from "../config/config-dependents.js";
import { enqueueValidateConfig } from "../config/validate-config-job.js";
import { RepoEventSchema, webhookTargetOf } from "./event-schemas.js";
import { parseEvent } from "./parse-event.js";

/** GitHub lists at most this many commits in a push payload; more means the list is cut. */
const PUSH_COMMIT_LIMIT = 20;
const ZERO_SHA = /^0+$/;

const Paths = z.array(z.string()).nullish();
const PushEventSchema = RepoEventSchema.extend({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  deleted: z.boolean().optional(),
  repository: RepoEventSchema.shape.repository.extend({ default_branch: z.string().min(1) }),
  commits: z.array(z.object({ added: Paths, modified: Paths, removed: Paths })),
});

/**
 * On a push to the default branch that may change `.github/backflow.yml` (or a base of it, or a file
 * other repositories extend): queue its validation (the job records it, keeps one tracking issue open
 * while it is invalid, and re-validates the repositories extending a changed shared file). When GitHub
 * cut the commit list, the job asks GitHub whether the config changed.
 */
export function handlePush(deps: AppDeps) {
  return async (context: Context<"push">): Promise<void> => {
    const event = parseEvent(context, PushEventSchema);
    const target = webhookTargetOf(event);
    const branch = event.repository.default_branch;
    const fields = { repo: target.repo, ref: event.ref, after: event.after };
    if (event.deleted || event.ref !== `refs/heads/${branch}`) {
      context.log.debug(fields, "ignoring push that is not to the default branch");
      return;
    }
    const paths = event.commits.flatMap((c) => [
      ...(c.added ?? []),
      ...(c.modified ?? []),
      ...(c.removed ?? []),
    ]);
    // The config, a base of it in this repository, or a file other repositories extend.
    const watched = await watchedConfigPaths(deps.store, repoKeyOf(target.repo));
    const changed = [...new Set(paths.filter((p) => watched.has(p)))];
    const listed = changed.length > 0;
    const compare = !listed && event.commits.length >= PUSH_COMMIT_LIMIT && !ZERO_SHA.test(event.before);
    if (!listed && !compare) {
      context.log.debug(fields, "ignoring push that does not change the config");
      return;
    }
    const created = await enqueueValidateConfig({
      store: deps.store,
      payload: {
        ...target,
        actor: event.sender.login,
        trigger: "push",
        push: {
          before: event.before,
          after: event.after,
          branch,
          compare,
          ...(listed ? { paths: changed } : {}),
        },
      },
      delivery: context.id,
      now: deps.clock(),
    });
    context.log.info({ ...fields, created }, "queued config validation");
  };
}
