import type { Logger } from "pino";
import type { Probot } from "probot";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import type { JobHandlerInput } from "../../../src/github/jobs/installation-octokit.js";
import { JOB_REGISTRY, workerJobsOf } from "../../../src/jobs/job-registry.js";
import { createWorker } from "../../../src/jobs/worker.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { ClaimInput } from "../../../src/store/store.js";
import { createBackflowProbot } from "../../helpers/backflow-app.js";
import { contentFile, githubApi, mockInstallationToken } from "../../helpers/github-nock.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { silentLog, TEST_APP_ID } from "../../helpers/probot.js";
import { deliverAndTriage, resetNock, testOctokit } from "../drift/drift-harness.js";
import { exampleFiles, type FakeGitHub, fakeGitHub, OWNER, REPO } from "../drift/fake-github.js";
import { mockMergeCommit } from "./merge-commit-nock.js";

export const API = `/repos/${OWNER}/${REPO}`;
export const MODEL = "models/marts/fct_orders.sql";
export const PARENT_SHA = "a0".repeat(20);
export const AUTHOR = "dev-dana";
const HOUR = 3_600_000;

/** The example shop with a relative limit on `fct_orders.amount`'s sum; `extra` appends keys (canary, review). */
export function canaryConfig(extra = ""): string {
  return `dialect: postgres
models: { paths: ["models/**/*.sql"] }
contracts: { paths: ["contracts/**/*.yaml"] }
signals:
  thresholds:
    - { dataset: fct_orders, column: amount, metric: amount_sum, relative: 0.2 }
${extra}`;
}

/** The example's fct_orders with the amount no longer coalesced: what each test's pull request merges. */
export function mergedFiles(config: string): Record<string, string> {
  const files = Object.fromEntries(exampleFiles(config));
  files[MODEL] = (files[MODEL] ?? "").replace(
    "coalesce(payments.total_amount, 0) as amount",
    "payments.total_amount as amount",
  );
  return files;
}

/** The columns the merge's impact names: fct_orders.amount and what reads it downstream. */
export const WATCHED = [
  ["fct_orders", "amount"],
  ["fct_daily_revenue", "revenue"],
  ["fct_daily_revenue", "average_order_value"],
  ["customer_ltv", "amount"],
  ["customer_ltv", "cumulative_revenue"],
] as const;

/** One amount_sum measurement of a column (fct_orders.amount by default; no status: Backflow's limits judge it). */
export function amountSignal(id: string, at: Date, value: number, table = "fct_orders", column = "amount") {
  return {
    id,
    source: { kind: "backflow", producer: "revenue-monitor" },
    observedAt: at.toISOString(),
    type: "metric_breach",
    severity: "warning",
    dataset: { name: `analytics.marts.${table}` },
    column,
    measurement: { metric: "amount_sum", kind: "custom", value },
    message: `amount_sum is ${value}`,
  };
}

export type CanaryWorld = {
  store: SqliteStore;
  github: FakeGitHub;
  probot: Probot;
  now: Date;
  /** Sends one signal at `at` (the clock moves a minute past it) and triages it. */
  signal(
    id: string,
    at: Date,
    value: number,
    target?: readonly [string, string],
  ): Promise<Awaited<ReturnType<typeof deliverAndTriage>>>;
  /** Delivers the real `pull_request.closed` payload of a merge at `at`; the merged-pull-request job runs. */
  merge(input: { pr: number; sha: string; at: Date; body?: string }): Promise<void>;
  /** Runs the due `canary-window-end` jobs at `at` through the registry's handler; returns how many ran. */
  endWindows(at: Date): Promise<number>;
  close(): Promise<void>;
};

/**
 * A repository whose merges record canaries and whose signals are triaged, on a stateful fake
 * GitHub: the merge commits (`merges`: sha → pull request) and their comparison are answered
 * before the fake's own routes, and so are the pull requests of commits (for attribution).
 */
export async function canaryWorld(input: {
  start: Date;
  config: string;
  merges: Array<{ pr: number; sha: string; mergedAt: Date }>;
}): Promise<CanaryWorld> {
  resetNock();
  const store = openSqliteStore(":memory:");
  const world = { now: input.start } as CanaryWorld;
  const clock = () => world.now;
  const head = mergedFiles(input.config);
  const base = Object.fromEntries(exampleFiles(input.config));
  const scope = githubApi({ persist: true });
  for (const m of input.merges) {
    mockMergeCommit(githubApi(), {
      owner: OWNER,
      repo: REPO,
      mergeSha: m.sha,
      parentSha: PARENT_SHA,
      base,
      head,
    });
    scope
      .get(`${API}/commits/${m.sha}/pulls`)
      .query(true)
      .reply(200, [
        {
          number: m.pr,
          state: "closed",
          merged_at: m.mergedAt.toISOString(),
          user: { login: AUTHOR },
          title: `PR ${m.pr}`,
        },
      ]);
  }
  scope
    .get(`${API}/contents/${encodeURIComponent(".github/backflow.yml")}`)
    .query(true)
    .reply(200, contentFile(".github/backflow.yml", input.config));
  const commits = {
    [MODEL]: input.merges.map((m) => ({
      sha: m.sha,
      commit: {
        author: { name: AUTHOR, date: m.mergedAt.toISOString() },
        message: `Merge pull request #${m.pr}`,
      },
      author: { login: AUTHOR },
    })),
  };
  const github = fakeGitHub({ config: input.config, commits, now: clock });
  // The fake keeps comments; a writer looking for its own comment by marker lists them.
  githubApi({ persist: true })
    .get(new RegExp(`${API}/issues/\\d+/comments$`))
    .query(true)
    .reply((uri) => {
      const issue = Number(uri.split("?")[0]?.split("/").at(-2));
      return [
        200,
        github.comments.flatMap((c, i) => (c.issue === issue ? [{ id: i + 1, body: c.body }] : [])),
      ];
    });
  githubApi({ persist: true })
    .patch(new RegExp(`${API}/issues/comments/\\d+$`))
    .reply((uri, raw) => {
      const comment = github.comments[Number(uri.split("/").pop()) - 1];
      if (!comment) return [404, { message: "Not Found" }];
      comment.body = (raw as { body: string }).body;
      return [200, { id: Number(uri.split("/").pop()), body: comment.body }];
    });
  const probot = await createBackflowProbot({ store, clock, appId: TEST_APP_ID });
  mockInstallationToken();
  const jobInput: JobHandlerInput = {
    deps: { store, clock },
    log: silentLog(),
    octokitFor: async () => probot.auth(1),
  };
  const registry = workerJobsOf(JOB_REGISTRY, jobInput);
  return Object.assign(world, {
    store,
    github,
    probot,
    async signal(id: string, at: Date, value: number, target?: readonly [string, string]) {
      world.now = new Date(at.getTime() + 60_000);
      return deliverAndTriage({
        store,
        octokit: await testOctokit(),
        clock,
        deliveryId: `d-${id}`,
        body: amountSignal(id, at, value, ...(target ?? [])),
      });
    },
    async merge(m: { pr: number; sha: string; at: Date; body?: string }) {
      world.now = new Date(m.at.getTime() + 1000);
      const payload = loadPayload("pull_request", {
        action: "closed",
        overrides: {
          repository: {
            name: REPO,
            full_name: `${OWNER}/${REPO}`,
            owner: { login: OWNER },
            default_branch: "main",
          },
          pull_request: {
            number: m.pr,
            merged: true,
            merged_at: m.at.toISOString(),
            merge_commit_sha: m.sha,
            body: m.body ?? "Stop coalescing missing payment totals to 0.",
            base: { ref: "main" },
            user: { login: AUTHOR },
          },
        },
      });
      await receive(probot, "pull_request", payload);
    },
    async endWindows(at: Date) {
      world.now = at;
      return runJobs(store, registry, ["canary-window-end"], clock);
    },
    async close() {
      resetNock();
      await store.close();
    },
  });
}

/** `start` plus `h` hours. */
/**
 * The world's repository as a job's target: the installation's Octokit, the world's store and clock
 * (`dryRun` for BACKFLOW_DRY_RUN=true), and `log` (silent unless given).
 */
export async function worldTarget(w: CanaryWorld, options: { log?: Logger; dryRun?: boolean } = {}) {
  return {
    octokit: await w.probot.auth(1),
    deps: { store: w.store, clock: () => w.now, ...(options.dryRun ? { dryRun: true } : {}) },
    log: options.log ?? silentLog(),
    owner: OWNER,
    repo: REPO,
    repoKey: repoKeyOf(OWNER, REPO),
  };
}

export const plusHours = (start: Date, h: number) => new Date(start.getTime() + h * HOUR);

/**
 * Runs the due jobs of `kinds` with the job registry's own handlers (a kind missing from the
 * registry fails here), leaving other kinds queued; returns how many ran.
 */
export async function runJobs(
  store: SqliteStore,
  registry: ReturnType<typeof workerJobsOf>,
  kinds: readonly string[],
  clock: () => Date,
): Promise<number> {
  const handlers = Object.fromEntries(
    kinds.map((k) => {
      const handler = registry.handlers[k];
      if (!handler) throw new Error(`job kind ${k} is not in the job registry`);
      return [k, handler];
    }),
  );
  const jobs = store.jobs;
  const claim = (input: ClaimInput) => jobs.claim({ ...input, kinds });
  const worker = createWorker({
    store: { jobs: Object.assign(Object.create(jobs) as typeof jobs, { claim }) },
    handlers,
    kinds: registry.kinds,
    workerId: "canary-test",
    clock,
  });
  return worker.drain();
}

export { OWNER, REPO } from "../drift/fake-github.js";
