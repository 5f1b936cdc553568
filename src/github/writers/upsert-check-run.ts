import { GitHubWriteError } from "../../core/errors.js";
import type { RepoTarget } from "../app-deps.js";
import { leaseOwner, withLease } from "../with-lease.js";
import {
  type CheckConclusion,
  type EnsureCheckRunResult,
  ensureCheckRun,
  type KnownCheckRun,
} from "./ensure-check-run.js";
import { writerFor } from "./github-writer.js";

export type { CheckConclusion } from "./ensure-check-run.js";

/** What a check run should say. The writer makes GitHub match it. */
export type CheckRunContent = {
  readonly name: string;
  readonly conclusion: CheckConclusion;
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
};

export type UpsertCheckRunResult = Pick<EnsureCheckRunResult, "action" | "id">;

/** The repoState key that remembers the check run for one name and head SHA. */
export function checkRunKey(name: string, headSha: string): string {
  return `check:${name}:${headSha}`;
}

type Input = RepoTarget & {
  readonly headSha: string;
  readonly content: CheckRunContent;
};

/**
 * Makes the check run named `content.name` on `headSha` say `content` (completed): exactly one run
 * per name and SHA, even across redeliveries and concurrent deliveries (a lease serializes them; the
 * store and a find-by-name on GitHub remember the run). Rewrites only when what the user sees
 * changed. In dry run it reads, logs the exact payload and writes nothing (the store included).
 */
export async function upsertCheckRun(input: Input): Promise<UpsertCheckRunResult> {
  const { deps, headSha, content } = input;
  const key = checkRunKey(content.name, headSha);
  const repo = input.repoKey;
  const outcome = await withLease(
    {
      store: deps.store,
      name: `check-run:${repo}:${content.name}:${headSha}`,
      owner: leaseOwner("check-run"),
      clock: deps.clock,
    },
    async () => {
      const known = await deps.store.repoState.get<KnownCheckRun>({ repo, key });
      const written = await ensureCheckRun(writerFor(input), {
        name: content.name,
        headSha,
        now: deps.clock(),
        known,
        ...(deps.appId === undefined ? {} : { appId: deps.appId }),
        desired: { status: "completed", ...content },
      });
      if (written.id !== undefined && written.action !== "dry-run" && written.hash !== known?.hash)
        await deps.store.repoState.put({
          repo,
          key,
          value: { id: written.id, hash: written.hash },
          now: deps.clock(),
        });
      return { action: written.action, ...(written.id === undefined ? {} : { id: written.id }) };
    },
  );
  if (!outcome.acquired) {
    throw new GitHubWriteError(
      `Another delivery has been writing the check run for ${headSha} for too long; redeliver the webhook to retry.`,
    );
  }
  return outcome.value;
}
