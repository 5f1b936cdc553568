import type { Context } from "probot";
import { CONFIG_PATH } from "../../core/config/schema.js";
import type { AppDeps } from "../app-deps.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { buildConfigErrorIssue, CONFIG_ERROR_MARKER } from "../render-config-problems.js";
import { createRepoReader, type RepoReader } from "../repo-reader.js";
import { recordConfigValidation } from "../services/record-config-validation.js";
import { upsertTrackingIssue } from "../writers/upsert-tracking-issue.js";

/** GitHub lists at most this many commits in a push payload; more means the list is cut. */
const PUSH_COMMIT_LIMIT = 20;
const ZERO_SHA = /^0+$/;

type PushPayload = Context<"push">["payload"];

/** Whether the push changed the config file, asking GitHub when the payload's commit list is cut. */
async function touchesConfig(payload: PushPayload, reader: RepoReader): Promise<boolean> {
  const paths = payload.commits.flatMap((c) => [
    ...(c.added ?? []),
    ...(c.modified ?? []),
    ...(c.removed ?? []),
  ]);
  if (paths.includes(CONFIG_PATH)) return true;
  if (payload.commits.length < PUSH_COMMIT_LIMIT || ZERO_SHA.test(payload.before)) return false;
  return (await reader.compare(payload.before, payload.after)).some((f) => f.path === CONFIG_PATH);
}

/**
 * On a push to the default branch that touches `.github/backflow.yml`: validate it, record the result,
 * and keep one tracking issue open while it is invalid (closed once it validates again).
 */
export function handlePush(deps: AppDeps) {
  return async (context: Context<"push">): Promise<void> => {
    const { payload } = context;
    const { owner, repo } = context.repo();
    const branch = payload.repository.default_branch;
    const fields = { repo: `${owner}/${repo}`, ref: payload.ref, after: payload.after };
    if (payload.deleted || payload.ref !== `refs/heads/${branch}`) {
      context.log.debug(fields, "ignoring push that is not to the default branch");
      return;
    }
    const reader = createRepoReader({ octokit: context.octokit, owner, repo });
    if (!(await touchesConfig(payload, reader))) {
      context.log.debug(fields, "ignoring push that does not change the config");
      return;
    }
    const result = await loadRepoConfig({ reader, ref: payload.after });
    await recordConfigValidation({
      store: deps.store,
      clock: deps.clock,
      repo: `${owner}/${repo}`,
      ref: payload.after,
      result,
      actor: payload.sender?.login ?? "unknown",
      trigger: "push",
    });
    if (!result.ok)
      context.log.warn({ ...fields, problems: result.error.problems }, "default-branch config is invalid");
    await upsertTrackingIssue({
      octokit: context.octokit,
      deps,
      log: context.log,
      owner,
      repo,
      marker: CONFIG_ERROR_MARKER,
      desired: result.ok ? null : buildConfigErrorIssue({ error: result.error, sha: payload.after, branch }),
      closeComment: `${CONFIG_PATH} validates again as of ${payload.after}. Closing.`,
    });
  };
}
