import type { Logger, Probot, ProbotOctokit } from "probot";
import { z } from "zod";
import type { AppDeps, RepoTarget } from "../app-deps.js";

/** An Octokit authenticated as the app's installation on one repository (`owner/name`). */
export type InstallationOctokitFor = (repo: string) => Promise<ProbotOctokit>;

/**
 * Installation Octokits for jobs, which run outside any webhook: the installation id of a repository
 * is looked up once (GET /repos/{owner}/{repo}/installation) and remembered for the process.
 * `probot` resolves once the server has loaded the app.
 */
export function installationOctokits(probot: () => Promise<Probot>): InstallationOctokitFor {
  const ids = new Map<string, number>();
  return async (fullName) => {
    const app = await probot();
    let id = ids.get(fullName);
    if (id === undefined) {
      const [owner = "", repo = ""] = fullName.split("/");
      const { data } = await (await app.auth()).rest.apps.getRepoInstallation({ owner, repo });
      id = data.id;
      ids.set(fullName, id);
    }
    return app.auth(id);
  };
}

/** What every GitHub job handler is built with. */
export type JobHandlerInput = {
  readonly deps: AppDeps;
  readonly log: Logger;
  readonly octokitFor: InstallationOctokitFor;
};

/** The repository a job payload names, as GitHub spells it (`owner/name`). */
export const RepoFullNameSchema = z.string().regex(/^[^/\s]+\/[^/\s]+$/, "owner/name");

/** The repository a job names (`owner/name`), with an installation Octokit for it. */
export async function repoTargetOf(input: JobHandlerInput, fullName: string): Promise<RepoTarget> {
  const [owner = "", repo = ""] = fullName.split("/");
  return { octokit: await input.octokitFor(fullName), deps: input.deps, log: input.log, owner, repo };
}
