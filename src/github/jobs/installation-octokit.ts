import type { Probot, ProbotOctokit } from "probot";

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
