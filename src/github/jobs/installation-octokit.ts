import type { Logger, Probot, ProbotOctokit } from "probot";
import { z } from "zod";
import { RepoFullNameSchema, type RepoKey, repoKeyOf } from "../../core/github/repo-key.js";
import type { AppDeps, RepoTarget } from "../app-deps.js";
import { isNotFound } from "../request-errors.js";
import { guardDryRun } from "../writers/dry-run-guard.js";

/**
 * An Octokit authenticated as the app's installation on one repository (`owner/name`). A job whose
 * payload came from a webhook passes the installation id the event named; others are looked up.
 */
export type InstallationOctokitFor = ((repo: string, installationId?: number) => Promise<ProbotOctokit>) & {
  /** The app's bot login (`<slug>[bot]`), asked once of GitHub (GET /app). */
  readonly botLogin?: () => Promise<string>;
};

/** Installation Octokits plus the cache of installation ids, which `installation` events invalidate. */
export type InstallationOctokits = InstallationOctokitFor & {
  /** Forgets the installation ids of these repositories (all when omitted): a reinstall gets a new id. */
  forget(repos?: readonly string[]): void;
};

/**
 * Installation Octokits for jobs, which run outside any webhook. The installation id of a repository
 * is looked up once (GET /repos/{owner}/{repo}/installation) and remembered until an `installation`
 * event or a failed token request says it changed. With `dryRun`, no request other than a read
 * leaves the process (see `guardDryRun`). `probot` resolves once the server has loaded the app.
 */
export function installationOctokits(
  probot: () => Promise<Probot>,
  options: { dryRun?: boolean; log?: Logger } = {},
): InstallationOctokits {
  const ids = new Map<RepoKey, number>();
  const lookup = async (app: Probot, fullName: string): Promise<number> => {
    const key = repoKeyOf(fullName);
    const cached = ids.get(key);
    if (cached !== undefined) return cached;
    const [owner = "", repo = ""] = fullName.split("/");
    const { data } = await (await app.auth()).rest.apps.getRepoInstallation({ owner, repo });
    ids.set(key, data.id);
    return data.id;
  };
  const authenticate = async (fullName: string, installationId?: number): Promise<ProbotOctokit> => {
    const app = await probot();
    if (installationId !== undefined) {
      ids.set(repoKeyOf(fullName), installationId);
      return app.auth(installationId);
    }
    const id = await lookup(app, fullName);
    try {
      return await app.auth(id);
    } catch (error) {
      // The app was uninstalled and installed again since the id was cached: look it up once more.
      if (!isNotFound(error)) throw error;
      ids.delete(repoKeyOf(fullName));
      return app.auth(await lookup(app, fullName));
    }
  };
  const octokitFor = async (fullName: string, installationId?: number) => {
    const octokit = await authenticate(fullName, installationId);
    return options.dryRun ? guardDryRun(octokit, options.log) : octokit;
  };
  let login: Promise<string> | undefined;
  return Object.assign(octokitFor, {
    botLogin() {
      login ??= probot()
        .then(async (app) => (await app.auth()).rest.apps.getAuthenticated())
        .then(({ data }) => `${data?.slug ?? "backflow"}[bot]`);
      // A failed lookup is asked again next time rather than remembered.
      login.catch(() => {
        login = undefined;
      });
      return login;
    },
    forget(repos?: readonly string[]) {
      if (!repos) ids.clear();
      else for (const repo of repos) ids.delete(repoKeyOf(repo));
    },
  });
}

/** What every GitHub job handler is built with. */
export type JobHandlerInput = {
  readonly deps: AppDeps;
  readonly log: Logger;
  readonly octokitFor: InstallationOctokitFor;
  /** The app's bot login (`<slug>[bot]`): commits it wrote may be rewritten, a person's never. */
  readonly botLogin?: string;
};

/** The repository and installation of a job that came from a webhook. */
export const WebhookTargetSchema = z.strictObject({
  repo: RepoFullNameSchema,
  installationId: z.number().int().positive(),
});
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;

/** The repository a job names (`owner/name`), with an installation Octokit for it. */
export async function repoTargetOf(
  input: JobHandlerInput,
  fullName: string,
  installationId?: number,
): Promise<RepoTarget> {
  const [owner = "", repo = ""] = fullName.split("/");
  return {
    octokit: await input.octokitFor(fullName, installationId),
    deps: input.deps,
    log: input.log,
    owner,
    repo,
    repoKey: repoKeyOf(owner, repo),
  };
}
