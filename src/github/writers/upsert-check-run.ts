import { createHash } from "node:crypto";
import { GitHubWriteError } from "../../core/errors.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { leaseOwner, withLease } from "../with-lease.js";

export type CheckConclusion = "success" | "neutral" | "failure" | "action_required";

/** What a check run should say. The writer makes GitHub match it. */
export type CheckRunContent = {
  readonly name: string;
  readonly conclusion: CheckConclusion;
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
};

export type UpsertCheckRunResult = {
  readonly action: "created" | "updated" | "unchanged" | "dry-run";
  readonly id?: number;
};

type StoredCheckRun = { id: number; hash: string };

/** The repoState key that remembers the check run for one name and head SHA. */
export function checkRunKey(name: string, headSha: string): string {
  return `check:${name}:${headSha}`;
}

/** A hash of what the user sees, so an unchanged run is not rewritten. */
export function checkRunHash(content: {
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
}): string {
  const canonical = JSON.stringify([content.conclusion, content.title, content.summary, content.text]);
  return createHash("sha256").update(canonical).digest("hex");
}

function contentHash(content: CheckRunContent): string {
  return checkRunHash({ ...content, text: content.text ?? null });
}

function payloadOf(content: CheckRunContent) {
  return {
    name: content.name,
    status: "completed" as const,
    conclusion: content.conclusion,
    output: {
      title: content.title,
      summary: content.summary,
      ...(content.text === undefined ? {} : { text: content.text }),
    },
  };
}

type Input = RepoTarget & {
  readonly headSha: string;
  readonly content: CheckRunContent;
};

/** Backflow's own run of this name on the commit, found through GitHub (the store may have been lost). */
async function findExisting(input: Input) {
  const { octokit, owner, repo, headSha, content, deps } = input;
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    owner,
    repo,
    ref: headSha,
    check_name: content.name,
    filter: "latest",
    per_page: 100,
    ...(deps.appId === undefined ? {} : { app_id: deps.appId }),
  });
  return runs.find((run) => run.name === content.name && run.head_sha === headSha);
}

async function reconcile(input: Input, store: Store): Promise<UpsertCheckRunResult> {
  const { octokit, owner, repo, headSha, content, deps, log } = input;
  const repoName = input.repoKey;
  const key = checkRunKey(content.name, headSha);
  const hash = contentHash(content);
  const now = deps.clock();
  const stored = await store.repoState.get<StoredCheckRun>({ repo: repoName, key });
  const existing = stored
    ? { id: stored.id, hash: stored.hash }
    : await findExisting(input).then((run) =>
        run
          ? {
              id: run.id,
              hash: checkRunHash({
                conclusion: run.conclusion,
                title: run.output.title,
                summary: run.output.summary,
                text: run.output.text,
              }),
            }
          : undefined,
      );
  if (existing && existing.hash === hash) {
    if (!stored) await store.repoState.putIfAbsent({ repo: repoName, key, value: existing, now });
    log.debug({ repo: repoName, headSha, checkRunId: existing.id }, "check run already up to date");
    return { action: "unchanged", id: existing.id };
  }
  if (existing) {
    await octokit.rest.checks.update({ owner, repo, check_run_id: existing.id, ...payloadOf(content) });
    await store.repoState.put({ repo: repoName, key, value: { id: existing.id, hash }, now });
    deps.metrics?.checkRunsWritten.inc({ action: "updated" });
    log.info({ repo: repoName, headSha, checkRunId: existing.id }, "updated check run");
    return { action: "updated", id: existing.id };
  }
  const { data } = await octokit.rest.checks.create({
    owner,
    repo,
    head_sha: headSha,
    ...payloadOf(content),
  });
  // Under the lease nobody else writes this key; losing here means the lease expired mid-write.
  const first = await store.repoState.putIfAbsent({ repo: repoName, key, value: { id: data.id, hash }, now });
  if (!first)
    log.warn({ repo: repoName, headSha, checkRunId: data.id }, "check run key was written concurrently");
  deps.metrics?.checkRunsWritten.inc({ action: "created" });
  log.info({ repo: repoName, headSha, checkRunId: data.id }, "created check run");
  return { action: "created", id: data.id };
}

/**
 * Makes the check run named `content.name` on `headSha` say `content`: exactly one run per name and
 * SHA, even across redeliveries and concurrent deliveries (a lease serializes them; the store and a
 * find-by-name on GitHub remember the run). Rewrites only when what the user sees changed.
 * In dry-run mode it logs the exact payload and writes nothing.
 */
export async function upsertCheckRun(input: Input): Promise<UpsertCheckRunResult> {
  const { deps, log, owner, repo, headSha, content } = input;
  if (deps.dryRun) {
    log.info(
      { payload: { owner, repo, head_sha: headSha, ...payloadOf(content) } },
      "dry run: would write check run",
    );
    return { action: "dry-run" };
  }
  const outcome = await withLease(
    {
      store: deps.store,
      name: `check-run:${input.repoKey}:${content.name}:${headSha}`,
      owner: leaseOwner("check-run"),
      clock: deps.clock,
    },
    () => reconcile(input, deps.store),
  );
  if (!outcome.acquired) {
    throw new GitHubWriteError(
      `Another delivery has been writing the check run for ${headSha} for too long; redeliver the webhook to retry.`,
    );
  }
  return outcome.value;
}
