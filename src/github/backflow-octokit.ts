import { ProbotOctokit } from "probot";
import type { GitHubBreakers } from "../jobs/github-breakers.js";
import type { BackflowMetrics } from "../server/metrics.js";

type HookOptions = { method?: string; url?: string; baseUrl?: string; headers?: Record<string, unknown> };
type RequestHooks = {
  after(name: "request", hook: (response: { status: number }, options: HookOptions) => void): void;
  error(name: "request", hook: (error: unknown, options: HookOptions) => never): void;
};
type LoggingOctokit = {
  hook: RequestHooks;
  log: {
    debug(fields: Record<string, unknown>, message: string): void;
    warn(fields: Record<string, unknown>, message: string): void;
  };
};

/** The status label of a failed request: its HTTP status, or `network-error` when no answer came back. */
export function statusLabelOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "network-error";
  // Octokit reports a request that got no answer (DNS, refused, reset, timeout) as status 500 without a response.
  if (!("response" in error) || error.response === undefined) return "network-error";
  return "status" in error ? String(error.status) : "network-error";
}

/** The outcome label of a request's status: ok, not-found, client-error, server-error or network-error. */
export function outcomeOf(status: string): string {
  const code = Number(status);
  if (!Number.isFinite(code)) return "network-error";
  if (code < 400) return "ok";
  if (code === 404) return "not-found";
  return code < 500 ? "client-error" : "server-error";
}

/** The route template of a request (`GET /repos/{owner}/{repo}/issues`), bounded in cardinality. */
export function routeOf(options: HookOptions): string {
  const method = (options.method ?? "GET").toUpperCase();
  // Octokit hooks see the template before its parameters are filled in; a raw URL loses its query
  // (a pagination link), its numeric ids: both would give one series per page or repository.
  const path = (options.url ?? "/").replace(/^https?:\/\/[^/]+/, "").split("?")[0] ?? "/";
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, "/{n}")}`;
}

/** The API host a request goes to (api.github.com, or a GitHub Enterprise Server's). */
export function requestHostOf(options: HookOptions): string {
  try {
    return new URL(options.url ?? "/", options.baseUrl ?? "https://api.github.com").host;
  } catch {
    return "unknown";
  }
}

/**
 * An Octokit plugin that counts every GitHub request (by method and status, and by route and outcome), logs it with the webhook delivery id, and tells
 * the host's circuit breaker whether GitHub answered (below 500) or not (no answer, or 5xx).
 * Probot's Context sets `x-github-delivery` on requests made for an event; reading it here ties
 * each outgoing request to the delivery that caused it. Registered after Probot's retry and throttling
 * plugins, it sees each request's final outcome.
 */
export function observeRequests(metrics: BackflowMetrics | undefined, breakers?: GitHubBreakers) {
  return (octokit: unknown): void => {
    const { hook, log } = octokit as LoggingOctokit;
    const record = (status: string, options: HookOptions) => {
      const method = options.method ?? "GET";
      metrics?.githubRequests.inc({ method, status });
      metrics?.githubRouteRequests.inc({ route: routeOf(options), outcome: outcomeOf(status) });
      const outage = status === "network-error" || Number(status) >= 500;
      breakers?.record(requestHostOf(options), outage ? "failure" : "success");
      const delivery = options.headers?.["x-github-delivery"];
      log.debug({ delivery, method, url: options.url, status }, "GitHub request");
    };
    hook.after("request", (response, options) => record(String(response.status), options));
    hook.error("request", (error, options) => {
      record(statusLabelOf(error), options);
      throw error;
    });
  };
}

/** How long one request may wait inside a job before the queue's backoff takes over. */
export type InRequestRetry = {
  /** Retries of a 5xx or unanswered request (Octokit's retry plugin), waiting base, 4×base, 9×base. */
  readonly retries: number;
  readonly baseMs: number;
  /** A rate limit whose `retry-after` is at most this is waited out in the request; longer ones fail the attempt. */
  readonly maxRateLimitWaitMs: number;
};

/** Short and bounded: a request gives up within about 1.5 s of retries, then the job is retried by the queue. */
export const DEFAULT_IN_REQUEST_RETRY: InRequestRetry = { retries: 2, baseMs: 250, maxRateLimitWaitMs: 5000 };

type ThrottleOptions = { method?: string; url?: string };
type ThrottleHandler = (
  retryAfter: number,
  options: ThrottleOptions,
  octokit: LoggingOctokit,
  retryCount: number,
) => boolean;

/**
 * The Octokit class Backflow gives Probot: Probot's retry and throttling plugins, bounded so a job never
 * sleeps long inside a request (the queue waits instead: see decideRetry), plus request metrics and the
 * GitHub circuit breaker. `testing` turns retry and throttling off so a mocked error surfaces at once.
 */
export function createBackflowOctokit(
  options: {
    metrics?: BackflowMetrics;
    breakers?: GitHubBreakers;
    testing?: boolean;
    retry?: Partial<InRequestRetry>;
  } = {},
): typeof ProbotOctokit {
  const Octokit = ProbotOctokit.plugin(observeRequests(options.metrics, options.breakers));
  if (options.testing) {
    // A function, not an object: Probot passes its own `throttle` options per instance, and an object
    // default would be shallow-merged under them, silently re-enabling throttling (1 s between writes).
    return Octokit.defaults((instance: Record<string, unknown>) => ({
      ...instance,
      retry: { ...(instance.retry as object | undefined), enabled: false },
      throttle: { ...(instance.throttle as object | undefined), enabled: false },
    }));
  }
  const bounds = { ...DEFAULT_IN_REQUEST_RETRY, ...options.retry };
  const waitIfShort =
    (what: string): ThrottleHandler =>
    (retryAfter, request, octokit, retryCount) => {
      const wait = retryAfter * 1000 <= bounds.maxRateLimitWaitMs && retryCount < 1;
      octokit.log.warn(
        { method: request.method, url: request.url, retryAfter, retryCount },
        wait
          ? `${what}: waiting ${retryAfter} s, then retrying once`
          : `${what}: the job will be retried later`,
      );
      return wait;
    };
  return Octokit.defaults((instance: Record<string, unknown>) => ({
    ...instance,
    retry: {
      ...(instance.retry as object | undefined),
      retryAfterBaseValue: bounds.baseMs,
      retries: bounds.retries,
    },
    throttle: {
      ...(instance.throttle as object | undefined),
      onRateLimit: waitIfShort("GitHub rate limit"),
      onSecondaryRateLimit: waitIfShort("GitHub secondary rate limit"),
    },
  }));
}
