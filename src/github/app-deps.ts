import type { Logger, ProbotOctokit } from "probot";
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
};

/** One repository that a GitHub-writing service works on, with the installation Octokit and the app's dependencies. */
export type RepoTarget = {
  readonly octokit: ProbotOctokit;
  readonly deps: AppDeps;
  readonly log: Logger;
  readonly owner: string;
  readonly repo: string;
};
