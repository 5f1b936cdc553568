import type { SuspectCommit } from "../../core/render/render-drift-issue.js";
import type { RepoTarget } from "../app-deps.js";
import type { ApiCounter } from "../repo-context/api-counter.js";
import type { LoadedTriageContext } from "./load-triage-context.js";
import { listRecentCommits } from "./recent-commits.js";

/** Days of commits listed for suspect files. */
export const COMMIT_DAYS = 14;

/** Everything one delivery's signals share: the repository, its context at one commit, the caches. */
export type TriageRun = RepoTarget & {
  readonly context: LoadedTriageContext;
  readonly api: ApiCounter;
  /** Commits per suspect file, fetched once per delivery. */
  readonly commits: Map<string, SuspectCommit[]>;
};

/** Commits of the given suspect files in the last COMMIT_DAYS days, fetched once per run. */
export async function commitsOf(
  run: TriageRun,
  files: readonly string[],
): Promise<Map<string, SuspectCommit[]>> {
  const missing = [...new Set(files)].filter((f) => !run.commits.has(f));
  if (missing.length > 0) {
    const since = new Date(run.deps.clock().getTime() - COMMIT_DAYS * 86_400_000);
    const fetched = await listRecentCommits({ ...run, files: missing, since });
    for (const [file, list] of fetched) run.commits.set(file, list);
  }
  return new Map(files.flatMap((f) => (run.commits.has(f) ? [[f, run.commits.get(f) ?? []] as const] : [])));
}
