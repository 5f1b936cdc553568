import { type BackflowConfig, CONFIG_PATH } from "../../core/config/schema.js";
import { type ConfigError, GitHubWriteError } from "../../core/errors.js";
import type { AnalyzedImpact } from "../../core/impact/analyze-impact.js";
import {
  type Acknowledgement,
  decideConclusion,
  needsAcknowledgement,
} from "../../core/impact/decide-conclusion.js";
import { impactHash } from "../../core/impact/impact-hash.js";
import type { ImpactReport } from "../../core/impact/impact-report.js";
import { renderImpact } from "../../core/render/render-impact.js";
import {
  type SharedConfigImpact,
  sharedConfigFails,
} from "../../core/render/render-shared-config-section.js";
import type { RepoTarget } from "../app-deps.js";
import { findSharedConfigImpact } from "../config/shared-config-impact.js";
import { checkExpectsBlock } from "../expectations/validate-expectations-for-check-run.js";
import { LEASE_TTL_MS } from "../lease-ttl.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { createRepoReader } from "../repo-reader.js";
import { planImpactCheck } from "../services/plan-impact-check.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { type ApiCounter, analyzeSnapshots, type LoadedSnapshots, loadSnapshots } from "./load-snapshots.js";
import { completeImpactCheck, type ImpactCheckContent, startImpactCheck } from "./write-impact-check.js";

export type ImpactCheckInput = RepoTarget & {
  readonly pr: number;
  readonly baseSha: string;
  readonly headSha: string;
  /**
   * The pull request body, whose `expects:` block the check validates. Omitted (a re-run such as an
   * acknowledgement): the body the last run of this SHA saw. `null`: the pull request has no body.
   */
  readonly prBody?: string | null;
  /** The job's abort signal: a lost lease or shutdown stops the analysis (its worker thread is replaced). */
  readonly signal?: AbortSignal;
  /** The head's effective config when the caller already loaded it (with its `_extends` bases); loaded otherwise. */
  readonly config?: BackflowConfig;
};

/** What the acknowledgement handler needs to know about a SHA's last impact. */
export type StoredImpact = {
  readonly pr: number;
  readonly baseSha: string;
  readonly hash: string;
  readonly verdict: ImpactReport["verdict"];
  readonly owners: string[];
  /**
   * The body the run saw, only when it has an `expects:` block (most bodies are not kept). Stored
   * rather than fetched with `pulls.get` on re-runs: it is read inside the per-SHA lease, so a
   * re-run that waited behind a body edit sees that edit's body, and an acknowledgement costs no
   * extra request. The head SHA (hence its lineage) is fixed, so the same body gives the same result.
   */
  readonly prBody?: string;
};

/** What the check run concluded, and the impact verdict when the analysis could run. */
export type ImpactCheckOutcome = {
  readonly conclusion: ImpactCheckContent["conclusion"];
  readonly verdict?: ImpactReport["verdict"];
};

export const impactKey = (headSha: string) => `impact:${headSha}`;
export const ackKey = (pr: number, hash: string) => `ack:${pr}:${hash}`;

/** Who may acknowledge: owners of affected contracts (and of their tables); everyone affected if none is contracted. */
export function acknowledgers(report: ImpactReport): string[] {
  const contracted = report.affected.filter((a) => a.contracts.length > 0);
  const owners = [
    ...report.contracts.flatMap((c) => c.owners),
    ...(contracted.length > 0 ? contracted : report.affected).flatMap((a) => a.owners),
  ];
  return [...new Set(owners)];
}

/**
 * The impact check run of one head SHA: in progress, then the analysis of base vs head and the
 * completed result. Deliveries for the same SHA run one at a time (a lease), so redeliveries and
 * concurrent events never create a second run; each SHA only ever writes its own run.
 */
export async function runImpactCheck(input: ImpactCheckInput): Promise<ImpactCheckOutcome> {
  const { deps, owner, repo, headSha } = input;
  const api: ApiCounter = { calls: 0 };
  const outcome = await withLease(
    {
      store: deps.store,
      name: `impact:${input.repoKey}:${headSha}`,
      owner: leaseOwner("impact"),
      clock: deps.clock,
      ttlMs: LEASE_TTL_MS,
      waitMs: 60_000,
    },
    () => analyzeAndWrite(input, api),
  );
  if (!outcome.acquired) {
    throw new GitHubWriteError(
      `Another delivery has been analysing ${headSha} for too long; redeliver the webhook to retry.`,
    );
  }
  input.log.info(
    { repo: input.repoKey, pr: input.pr, headSha, apiCalls: api.calls, ...outcome.value },
    "impact check done",
  );
  return outcome.value;
}

/** The body to validate: the caller's, or for a re-run without one, the body the last run of this SHA saw. */
async function bodyOf(input: ImpactCheckInput): Promise<string | null> {
  if (input.prBody !== undefined) return input.prBody;
  const last = await input.deps.store.repoState.get<StoredImpact>({
    repo: input.repoKey,
    key: impactKey(input.headSha),
  });
  return last?.prBody ?? null;
}

/** Completes the run when the head's config is invalid: failure if the pull request changed it, else neutral. */
async function completeWithConfigError(
  input: Omit<Parameters<typeof completeImpactCheck>[0], "content"> & {
    snapshots: LoadedSnapshots;
    error: ConfigError;
  },
): Promise<ImpactCheckOutcome> {
  const { snapshots, error, ...target } = input;
  const planned = await planImpactCheck({
    config: { ok: false, error, bases: [], layers: [] },
    changesConfig: async () =>
      snapshots.changed.some((f) => f.path === CONFIG_PATH || f.previousPath === CONFIG_PATH),
  });
  await completeImpactCheck({
    ...target,
    content: { ...planned, annotations: [], offerAcknowledgement: false },
  });
  return { conclusion: planned.conclusion };
}

/** What the run shows and remembers for an analysis: conclusion and text, the expects block included. */
async function decideContent(
  input: ImpactCheckInput,
  analyzed: Pick<AnalyzedImpact, "report" | "headGraph">,
  config: BackflowConfig,
  headPaths: ReadonlySet<string>,
  sharedConfig: SharedConfigImpact | null,
): Promise<{ content: ImpactCheckContent; stored: StoredImpact }> {
  const { report } = analyzed;
  const hash = impactHash(report);
  const repoName = input.repoKey;
  const prBody = await bodyOf(input);
  const expectations = checkExpectsBlock(prBody, analyzed.headGraph, repoName);
  const acknowledgement = needsAcknowledgement(report)
    ? ((await input.deps.store.repoState.get<Acknowledgement>({
        repo: repoName,
        key: ackKey(input.pr, hash),
      })) ?? undefined)
    : undefined;
  const decided = decideConclusion(report, {
    breakingConclusion: config.impact.breakingConclusion,
    ...(acknowledgement ? { acknowledgement } : {}),
    expectsProblems: expectations?.problems.length ?? 0,
  });
  // A shared config file that does not validate, or breaks a repository extending it, fails the check.
  const conclusion = sharedConfigFails(sharedConfig ?? undefined) ? "failure" : decided;
  const rendered = renderImpact(report, {
    graph: analyzed.headGraph,
    headPaths,
    hasText: true,
    commandLine: `backflow impact --base ${input.baseSha.slice(0, 12)} --head ${input.headSha.slice(0, 12)}`,
    ...(acknowledgement ? { acknowledgement } : {}),
    ...(expectations ? { expectations } : {}),
    ...(sharedConfig ? { sharedConfig } : {}),
  });
  return {
    content: {
      conclusion,
      ...rendered,
      offerAcknowledgement: needsAcknowledgement(report) && !acknowledgement,
    },
    stored: {
      pr: input.pr,
      baseSha: input.baseSha,
      hash,
      verdict: report.verdict,
      owners: acknowledgers(report),
      ...(expectations && prBody ? { prBody } : {}),
    },
  };
}

async function analyzeAndWrite(input: ImpactCheckInput, api: ApiCounter): Promise<ImpactCheckOutcome> {
  const { octokit, deps, log, owner, repo, repoKey, headSha } = input;
  const target = { octokit, deps, log, owner, repo, repoKey, headSha, api };
  const run = await startImpactCheck(target);
  const signal = input.signal;
  const reader = createRepoReader({ octokit, owner, repo, ...(signal ? { signal } : {}) });
  const snapshots = await loadSnapshots({
    reader,
    store: deps.store,
    baseSha: input.baseSha,
    headSha,
    api,
    ...(signal ? { signal } : {}),
  });
  let config = input.config;
  if (!config) {
    const loaded = await loadRepoConfig({
      octokit,
      owner,
      repo,
      ref: headSha,
      reader,
      ownText: snapshots.head.files.get(CONFIG_PATH) ?? null,
    });
    if (!loaded.ok) return completeWithConfigError({ ...target, run, snapshots, error: loaded.error });
    config = loaded.config;
  }
  const sharedConfig = await findSharedConfigImpact({
    octokit,
    store: deps.store,
    owner,
    repo,
    baseSha: input.baseSha,
    headSha,
    changed: snapshots.changed,
    reader,
  });
  const analyzed = await analyzeSnapshots({ store: deps.store, snapshots, config, signal: input.signal });
  const { content, stored } = await decideContent(
    input,
    analyzed,
    config,
    new Set(snapshots.head.shas.keys()),
    sharedConfig,
  );
  await deps.store.repoState.put({
    repo: repoKey,
    key: impactKey(headSha),
    value: stored,
    now: deps.clock(),
  });
  await completeImpactCheck({ ...target, run, content });
  return { conclusion: content.conclusion, verdict: stored.verdict };
}
