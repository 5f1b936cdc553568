import type { JobFailure } from "../core/jobs/decide-retry.js";

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function requestStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  return typeof error.status === "number" ? error.status : undefined;
}

/** True when GitHub answered 404 (the file, ref or repository does not exist or is not visible). */
export function isNotFound(error: unknown): boolean {
  return requestStatus(error) === 404;
}

type ResponseLike = {
  readonly headers?: Readonly<Record<string, string | number | undefined>>;
  readonly data?: unknown;
};

function responseOf(error: unknown): ResponseLike | undefined {
  if (typeof error !== "object" || error === null || !("response" in error)) return undefined;
  const response = error.response;
  return typeof response === "object" && response !== null ? (response as ResponseLike) : undefined;
}

function header(response: ResponseLike, name: string): string | undefined {
  const value = response.headers?.[name];
  return value === undefined ? undefined : String(value);
}

function documentationUrl(response: ResponseLike): string {
  const data = response.data;
  if (typeof data !== "object" || data === null || !("documentation_url" in data)) return "";
  return typeof data.documentation_url === "string" ? data.documentation_url : "";
}

/** Errors of the network layer (Node's fetch/undici and socket codes): no HTTP answer came back. */
const NETWORK_CODES =
  /^(E(CONNREFUSED|CONNRESET|NOTFOUND|AI_AGAIN|TIMEDOUT|PIPE|HOSTUNREACH|NETUNREACH)|UND_ERR_.+)$/;

function isNetworkCause(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  if ("code" in error && typeof error.code === "string" && NETWORK_CODES.test(error.code)) return true;
  return "cause" in error && isNetworkCause(error.cause, depth + 1);
}

/**
 * What a GitHub request failure was, by its type and headers (never its message text):
 * `network` when no HTTP answer came back (Octokit reports those as status 500 without a response),
 * `http` with the status and rate-limit facts otherwise; undefined when `error` is not a request error.
 * @example describeRequestFailure(new RequestError("fetch failed", 500, { request })) // { type: "network", ... }
 */
export function describeRequestFailure(
  error: unknown,
): Extract<JobFailure, { type: "network" | "http" }> | undefined {
  const status = requestStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  const response = responseOf(error);
  if (!response) {
    // Octokit turns a fetch that got no answer into a RequestError (status 500, a request, no response).
    const requestError =
      status !== undefined && typeof error === "object" && error !== null && "request" in error;
    if (requestError || isNetworkCause(error)) return { type: "network", message };
    return undefined;
  }
  if (status === undefined) return undefined;
  const retryAfter = Number(header(response, "retry-after"));
  const exhausted = header(response, "x-ratelimit-remaining") === "0";
  const reset = Number(header(response, "x-ratelimit-reset"));
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (Number.isFinite(retryAfter) || exhausted || /rate-limit/.test(documentationUrl(response))));
  return {
    type: "http",
    status,
    message,
    rateLimited,
    ...(rateLimited && Number.isFinite(retryAfter) && retryAfter >= 0
      ? { retryAfterMs: retryAfter * 1000 }
      : {}),
    ...(rateLimited && exhausted && Number.isFinite(reset) ? { rateLimitResetAt: reset * 1000 } : {}),
  };
}
