import type { Logger, ProbotOctokit } from "probot";
import type { RepoKey } from "../core/github/repo-key.js";
import type { BackflowMetrics } from "../server/metrics.js";
import type { Store } from "../store/store.js";

/** The clock is an input: tests pass a fixed one, the server passes `() => new Date()`. */
export type Clock = () => Date;

/** What the Probot app needs from the outside world; `createBackflowApp` takes it. */
export type AppDeps = {
  readonly store: Store;
  readonly clock: Clock;
  readonly metrics?: BackflowMetrics;
  /** The GitHub App id, used to tell Backflow's own check runs from other apps' of the same name. */
  readonly appId?: number;
  /** Log every write's exact payload instead of sending it. */
  readonly dryRun?: boolean;
  /** The job Octokits' cache of installation ids, which `installation` events invalidate. */
  readonly installations?: { forget(repos?: readonly string[]): void };
};

/** One repository that a GitHub-writing service works on, with the installation Octokit and the app's dependencies. */
export type RepoTarget = {
  readonly octokit: ProbotOctokit;
  readonly deps: AppDeps;
  readonly log: Logger;
  readonly owner: string;
  readonly repo: string;
  /** `owner/repo` normalised (lower-cased): the key of every store row, lease and job about it. */
  readonly repoKey: RepoKey;
};
