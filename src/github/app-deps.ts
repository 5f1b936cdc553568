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
