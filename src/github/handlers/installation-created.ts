import type { Context } from "probot";
import type { AppDeps } from "../app-deps.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { createRepoReader } from "../repo-reader.js";
import { recordConfigValidation } from "../services/record-config-validation.js";

/**
 * When Backflow is installed, validate each repository's `.github/backflow.yml` on its default branch
 * and record the result. One repository failing does not stop the others.
 */
export function handleInstallationCreated(deps: AppDeps) {
  return async (context: Context<"installation.created">): Promise<void> => {
    const repositories = context.payload.repositories ?? [];
    const failures: unknown[] = [];
    for (const { full_name: fullName } of repositories) {
      const [owner = "", repo = ""] = fullName.split("/");
      try {
        const reader = createRepoReader({ octokit: context.octokit, owner, repo });
        const result = await loadRepoConfig({ reader });
        await recordConfigValidation({
          store: deps.store,
          clock: deps.clock,
          repo: fullName,
          ref: "default-branch",
          result,
          actor: context.payload.sender.login,
          trigger: "installation.created",
        });
        context.log.info(
          { repo: fullName, valid: result.ok, ...(result.ok ? {} : { problems: result.error.problems }) },
          result.ok ? "config validated on install" : "config is invalid on install",
        );
      } catch (error) {
        context.log.error({ repo: fullName, err: error }, "could not validate config on install");
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, `config validation failed for ${failures.length} repositories`);
    }
  };
}
