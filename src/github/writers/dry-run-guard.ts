import type { Logger, ProbotOctokit } from "probot";
import { PermanentJobError } from "../../jobs/job-errors.js";

/** A write that reached the dry-run guard: a writer forgot to honour `BACKFLOW_DRY_RUN`. */
export class DryRunWriteRefused extends PermanentJobError {
  override readonly name = "DryRunWriteRefused";
}

type RequestOptions = { method?: string; url?: string; query?: unknown; [key: string]: unknown };
type Hookable = {
  hook: {
    wrap(
      name: "request",
      hook: (
        request: (options: RequestOptions) => Promise<unknown>,
        options: RequestOptions,
      ) => Promise<unknown>,
    ): void;
  };
};

/** The installation token request: authentication, which a dry run needs to read at all. */
const TOKEN_URL = /^\/app\/installations\/[^/]+\/access_tokens$/;

/**
 * True for a request that changes nothing on GitHub: GET/HEAD, a GraphQL query that is not a
 * mutation, or the installation token request (authentication; a dry run needs it to read).
 */
export function isReadRequest(options: { method?: string; url?: string; query?: unknown }): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return true;
  if (method === "POST" && TOKEN_URL.test(options.url ?? "")) return true;
  if (method === "POST" && options.url === "/graphql" && typeof options.query === "string")
    return !/^\s*mutation\b/.test(options.query);
  return false;
}

/**
 * The last line of dry run: every writer logs its exact payload and skips the write itself, and this
 * hook refuses (with a log line and a permanent job error) any other request that would change
 * GitHub, so no request other than a read leaves the process whatever path a job takes.
 */
export function guardDryRun(octokit: ProbotOctokit, log?: Logger): ProbotOctokit {
  (octokit as unknown as Hookable).hook.wrap("request", async (request, options) => {
    if (isReadRequest(options)) return request(options);
    const { method, url } = options;
    log?.warn({ method, url }, "dry run: refused a GitHub write that no writer skipped");
    throw new DryRunWriteRefused(
      `dry run (BACKFLOW_DRY_RUN=true): refused ${method ?? "?"} ${url ?? "?"}; nothing was written to GitHub`,
    );
  });
  return octokit;
}
