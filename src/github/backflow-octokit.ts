import { ProbotOctokit } from "probot";
import type { BackflowMetrics } from "../server/metrics.js";

type HookOptions = { method?: string; url?: string; headers?: Record<string, unknown> };
type RequestHooks = {
  after(name: "request", hook: (response: { status: number }, options: HookOptions) => void): void;
  error(name: "request", hook: (error: unknown, options: HookOptions) => never): void;
};
type LoggingOctokit = {
  hook: RequestHooks;
  log: { debug(fields: Record<string, unknown>, message: string): void };
};

function statusOf(error: unknown): string {
  if (typeof error === "object" && error !== null && "status" in error) return String(error.status);
  return "network-error";
}

/**
 * An Octokit plugin that counts every GitHub request and logs it with the webhook delivery id.
 * Probot's Context sets `x-github-delivery` on requests made for an event; reading it here ties
 * each outgoing request to the delivery that caused it.
 */
export function observeRequests(metrics: BackflowMetrics | undefined) {
  return (octokit: unknown): void => {
    const { hook, log } = octokit as LoggingOctokit;
    const record = (status: string, options: HookOptions) => {
      const method = options.method ?? "GET";
      metrics?.githubRequests.inc({ method, status });
      const delivery = options.headers?.["x-github-delivery"];
      log.debug({ delivery, method, url: options.url, status }, "GitHub request");
    };
    hook.after("request", (response, options) => record(String(response.status), options));
    hook.error("request", (error, options) => {
      record(statusOf(error), options);
      throw error;
    });
  };
}

/**
 * The Octokit class Backflow gives Probot. `testing` turns off the retry and throttle plugins so a
 * mocked error surfaces at once instead of after back-off.
 */
export function createBackflowOctokit(
  options: { metrics?: BackflowMetrics; testing?: boolean } = {},
): typeof ProbotOctokit {
  const Octokit = ProbotOctokit.plugin(observeRequests(options.metrics));
  if (!options.testing) return Octokit;
  // A function, not an object: Probot passes its own `throttle` options per instance, and an object
  // default would be shallow-merged under them, silently re-enabling throttling (1 s between writes).
  return Octokit.defaults((instance: Record<string, unknown>) => ({
    ...instance,
    retry: { ...(instance.retry as object | undefined), enabled: false },
    throttle: { ...(instance.throttle as object | undefined), enabled: false },
  }));
}
