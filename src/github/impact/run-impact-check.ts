import { parseConfig } from "../../core/config/parse-config.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { ConfigError, GitHubWriteError } from "../../core/errors.js";
import { analyzeImpact } from "../../core/impact/analyze-impact.js";
import {
  type Acknowledgement,
  decideConclusion,
  needsAcknowledgement,
} from "../../core/impact/decide-conclusion.js";
import { impactHash } from "../../core/impact/impact-hash.js";
import type { ImpactReport } from "../../core/impact/impact-report.js";
import { renderImpact } from "../../core/render/render-impact.js";
import type { RepoTarget } from "../app-deps.js";
import { createRepoReader } from "../repo-reader.js";
import { planImpactCheck } from "../services/plan-impact-check.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { type ApiCounter, loadSnapshots, saveAnalyses } from "./load-snapshots.js";
import { completeImpactCheck, type ImpactCheckContent, startImpactCheck } from "./write-impact-check.js";

export type ImpactCheckInput = RepoTarget & {
  readonly pr: number;
  readonly baseSha: string;
  readonly headSha: string;
};

/** What the acknowledgement handler needs to know about a SHA's last impact. */
export type StoredImpact = {
  readonly pr: number;
  readonly baseSha: string;
  readonly hash: string;
  readonly verdict: ImpactReport["verdict"];
  readonly owners: string[];
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
      name: `impact:${owner}/${repo}:${headSha}`,
      owner: leaseOwner("impact"),
      clock: deps.clock,
      ttlMs: 120_000,
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
    { repo: `${owner}/${repo}`, pr: input.pr, headSha, apiCalls: api.calls, ...outcome.value },
    "impact check done",
  );
  return outcome.value;
}

async function analyzeAndWrite(input: ImpactCheckInput, api: ApiCounter): Promise<ImpactCheckOutcome> {
  const { octokit, deps, log, owner, repo, headSha } = input;
  const target = { octokit, deps, log, owner, repo, headSha, api };
  const run = await startImpactCheck(target);
  const reader = createRepoReader({ octokit, owner, repo });
  const snapshots = await loadSnapshots({ reader, store: deps.store, baseSha: input.baseSha, headSha, api });
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(snapshots.head.files.get(CONFIG_PATH), CONFIG_PATH);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const planned = await planImpactCheck({
      config: { ok: false, error },
      changesConfig: async () =>
        snapshots.changed.some((f) => f.path === CONFIG_PATH || f.previousPath === CONFIG_PATH),
    });
    const content = { ...planned, annotations: [], offerAcknowledgement: false };
    await completeImpactCheck({ ...target, run, content });
    return { conclusion: planned.conclusion };
  }
  const analyzed = analyzeImpact({
    base: snapshots.base,
    head: snapshots.head,
    config,
    changedFiles: snapshots.changed,
    cache: snapshots.cache,
    dbtCache: snapshots.dbtCache,
  });
  await saveAnalyses({
    store: deps.store,
    snapshots,
    analyses: analyzed.analyses,
    dbtReads: analyzed.dbtReads,
  });
  const { report } = analyzed;
  const hash = impactHash(report);
  const repoName = `${owner}/${repo}`;
  const acknowledgement = needsAcknowledgement(report)
    ? ((await deps.store.repoState.get<Acknowledgement>({ repo: repoName, key: ackKey(input.pr, hash) })) ??
      undefined)
    : undefined;
  const conclusion = decideConclusion(report, {
    breakingConclusion: config.impact.breakingConclusion,
    ...(acknowledgement ? { acknowledgement } : {}),
  });
  const rendered = renderImpact(report, {
    graph: analyzed.headGraph,
    headPaths: new Set(snapshots.head.shas.keys()),
    ...(acknowledgement ? { acknowledgement } : {}),
  });
  const content: ImpactCheckContent = {
    conclusion,
    ...rendered,
    offerAcknowledgement: needsAcknowledgement(report) && !acknowledgement,
  };
  const stored: StoredImpact = {
    pr: input.pr,
    baseSha: input.baseSha,
    hash,
    verdict: report.verdict,
    owners: acknowledgers(report),
  };
  await deps.store.repoState.put({
    repo: repoName,
    key: impactKey(headSha),
    value: stored,
    now: deps.clock(),
  });
  await completeImpactCheck({ ...target, run, content });
  return { conclusion, verdict: report.verdict };
}
