import type { ProbotOctokit } from "probot";
import type { BackflowMetrics } from "../../server/metrics.js";

/** The kinds of thing Backflow writes on GitHub, one label value of `backflow_github_writes_total`. */
export type WriteKind =
  | "issue"
  | "comment"
  | "check-run"
  | "pull-request"
  | "branch"
  | "label"
  | "reaction"
  | "pin";

/** What a reconcile did: `unchanged` is a skipped no-op, `dry-run` a write logged but not sent. */
export type WriteAction = "created" | "updated" | "unchanged" | "reopened" | "closed" | "dry-run";

/** The logger a writer needs: Probot's pino logger fits, and so does the Action's console shim. */
export type WriterLog = {
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
};

/** The Octokit surface the writers use: a Probot installation Octokit or an `@octokit/rest` one. */
export type WriterOctokit = Pick<ProbotOctokit, "rest" | "paginate" | "graphql">;

/** A count of GitHub calls one run made, reported in its log line (see run-impact-check). */
export type CallCounter = { calls: number };

/**
 * The one place where a Backflow write meets GitHub. Reads always go out; each write is either sent
 * or, in dry run, logged with its exact payload and skipped, so no flow needs its own dry-run branch.
 * Every call is counted (the run's counter); every reconcile outcome is counted in the metrics.
 */
export type GitHubWriter = {
  readonly octokit: WriterOctokit;
  readonly owner: string;
  readonly repo: string;
  readonly log: WriterLog;
  readonly dryRun: boolean;
  /** A read (GET): sent in dry run too, so a dry run can say exactly what it would change. */
  read<T>(call: (octokit: WriterOctokit) => Promise<T>): Promise<T>;
  /**
   * A write: sent, or in dry run logged as `dry run: would <what>` with `payload` and not sent
   * (then it resolves to undefined). `payload` is what `call` sends, so the log is the exact request.
   */
  send<P extends Record<string, unknown>, T>(
    what: { readonly kind: WriteKind; readonly verb: string; readonly payload: P },
    call: (octokit: WriterOctokit, payload: P & { owner: string; repo: string }) => Promise<T>,
  ): Promise<T | undefined>;
  /** Counts one reconcile outcome in `backflow_github_writes_total` and logs it at debug. */
  record(kind: WriteKind, action: WriteAction, fields?: Record<string, unknown>): void;
};

export type WriterInput = {
  readonly octokit: WriterOctokit;
  readonly owner: string;
  readonly repo: string;
  readonly log: WriterLog;
  readonly dryRun?: boolean;
  readonly metrics?: Pick<BackflowMetrics, "githubWrites" | "checkRunsWritten">;
  /** The run's call counter, when its log line reports how many calls it made. */
  readonly api?: CallCounter;
};

/**
 * A writer for one repository.
 * @example const w = createGitHubWriter({ octokit, owner, repo, log, dryRun: deps.dryRun });
 */
export function createGitHubWriter(input: WriterInput): GitHubWriter {
  const { octokit, owner, repo, log, metrics, api } = input;
  const dryRun = input.dryRun ?? false;
  const repoName = `${owner}/${repo}`;
  return {
    octokit,
    owner,
    repo,
    log,
    dryRun,
    read(call) {
      if (api) api.calls++;
      return call(octokit);
    },
    async send(what, call) {
      const payload = { owner, repo, ...what.payload };
      if (dryRun) {
        log.info({ repo: repoName, kind: what.kind, payload }, `dry run: would ${what.verb}`);
        return undefined;
      }
      if (api) api.calls++;
      return call(octokit, payload);
    },
    record(kind, action, fields = {}) {
      metrics?.githubWrites.inc({ kind, action });
      // The check-run counter predates this one; dashboards may still read it.
      if (kind === "check-run" && (action === "created" || action === "updated"))
        metrics?.checkRunsWritten.inc({ action });
      log.debug({ repo: repoName, kind, action, ...fields }, `${kind} ${action}`);
    },
  };
}

/** A writer for a RepoTarget-shaped input (installation Octokit plus the app's dependencies). */
export function writerFor(
  target: {
    readonly octokit: WriterOctokit;
    readonly owner: string;
    readonly repo: string;
    readonly log: WriterLog;
    readonly deps: { readonly dryRun?: boolean; readonly metrics?: BackflowMetrics };
  },
  api?: CallCounter,
): GitHubWriter {
  return createGitHubWriter({
    octokit: target.octokit,
    owner: target.owner,
    repo: target.repo,
    log: target.log,
    dryRun: target.deps.dryRun ?? false,
    ...(target.deps.metrics ? { metrics: target.deps.metrics } : {}),
    ...(api ? { api } : {}),
  });
}
