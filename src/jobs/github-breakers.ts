import {
  admit,
  type BreakerSettings,
  type BreakerState,
  type BreakerStatus,
  CLOSED_BREAKER,
  DEFAULT_BREAKER_SETTINGS,
  probeEnded,
  recordOutcome,
} from "../core/jobs/circuit-breaker.js";
import type { WorkerSettings } from "./read-worker-env.js";
import type { GitHubGate, WorkerLog } from "./worker.js";

/** The API host of github.com; a GitHub Enterprise Server has its own. */
export const GITHUB_COM_API_HOST = "api.github.com";

/**
 * One circuit breaker per GitHub API host, fed by every GitHub request's outcome (see
 * observeRequests in backflow-octokit.ts) and read by the worker before it claims GitHub-bound jobs.
 */
export type GitHubBreakers = {
  /** A request to `host` got an answer below 500 (success) or none / a 5xx (failure). */
  record(host: string, outcome: "success" | "failure"): void;
  /** The worker's view of one host's breaker. */
  gate(host: string): GitHubGate;
  /** Every host's status, for /metrics. */
  statuses(): ReadonlyArray<{ readonly host: string; readonly status: BreakerStatus }>;
};

/**
 * Breakers that open after `failureThreshold` consecutive outage failures and probe after a cooldown.
 * @example const breakers = createGitHubBreakers({ clock: () => new Date() }); breakers.gate("api.github.com").wouldAdmit()
 */
export function createGitHubBreakers(input: {
  clock: () => Date;
  settings?: Partial<BreakerSettings>;
  log?: WorkerLog;
}): GitHubBreakers {
  const settings = { ...DEFAULT_BREAKER_SETTINGS, ...input.settings };
  const states = new Map<string, BreakerState>();
  const now = () => input.clock().getTime();
  const stateOf = (host: string) => states.get(host) ?? CLOSED_BREAKER;
  const set = (host: string, next: BreakerState) => {
    const before = stateOf(host).status;
    states.set(host, next);
    if (before === next.status) return;
    const fields = { host, from: before, to: next.status };
    if (next.status === "open") {
      input.log?.warn(
        { ...fields, failures: next.consecutiveFailures, probeAt: new Date(next.retryAt ?? 0).toISOString() },
        "GitHub looks unavailable: the circuit breaker opened; GitHub-bound jobs wait",
      );
    } else input.log?.info(fields, "GitHub circuit breaker changed state");
  };
  return {
    record(host, outcome) {
      set(host, recordOutcome(stateOf(host), outcome, now(), settings));
    },
    gate(host) {
      return {
        wouldAdmit: () => admit(stateOf(host), now()).admitted,
        admit: () => {
          const result = admit(stateOf(host), now());
          set(host, result.state);
          return result.admitted;
        },
        ended: () => set(host, probeEnded(stateOf(host))),
        downUntil: () => {
          const state = stateOf(host);
          if (state.status === "closed") return null;
          return new Date(state.retryAt ?? now() + settings.cooldownMs);
        },
      };
    },
    statuses: () => [...states].map(([host, state]) => ({ host, status: state.status })),
  };
}

/** The breakers of a process, configured by the worker settings (BACKFLOW_GITHUB_BREAKER_*). */
export function githubBreakersFor(input: {
  settings: Pick<WorkerSettings, "breakerFailures" | "breakerCooldownMs">;
  clock: () => Date;
  log?: WorkerLog;
}): GitHubBreakers {
  return createGitHubBreakers({
    clock: input.clock,
    settings: {
      failureThreshold: input.settings.breakerFailures,
      cooldownMs: input.settings.breakerCooldownMs,
    },
    ...(input.log && { log: input.log }),
  });
}
