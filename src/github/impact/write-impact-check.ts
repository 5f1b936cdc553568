import { ACKNOWLEDGE_ACTION } from "../../core/impact/decide-conclusion.js";
import type { ImpactAnnotation } from "../../core/render/render-impact-annotations.js";
import type { RepoTarget } from "../app-deps.js";
import { IMPACT_CHECK_NAME } from "../services/plan-impact-check.js";
import { type CheckRunDesire, ensureCheckRun, type KnownCheckRun } from "../writers/ensure-check-run.js";
import { type CallCounter, writerFor } from "../writers/github-writer.js";
import { checkRunKey } from "../writers/upsert-check-run.js";

/** The acknowledge button, named here for the handler that receives its presses. */
export const ACK_ACTION = ACKNOWLEDGE_ACTION;

export type ImpactCheckContent = {
  readonly conclusion: "success" | "neutral" | "failure" | "action_required";
  readonly title: string;
  readonly summary: string;
  /** The check run's details (`output.text`, its own 65,535-character budget): every list in full. */
  readonly text?: string;
  readonly annotations: readonly ImpactAnnotation[];
  readonly offerAcknowledgement: boolean;
};

type Target = RepoTarget & {
  readonly headSha: string;
  readonly api: CallCounter;
};

/** The impact run as the store remembers it; id 0 in dry run, where nothing was created. */
type Stored = KnownCheckRun;

/** What the run shows for a result: the conclusion, texts, annotations and (maybe) the acknowledge button. */
function desireOf(content: ImpactCheckContent): CheckRunDesire {
  return {
    status: "completed",
    conclusion: content.conclusion,
    title: content.title,
    summary: content.summary,
    ...(content.text ? { text: content.text } : {}),
    annotations: content.annotations,
    actions: content.offerAcknowledgement ? [ACK_ACTION] : [],
  };
}

/**
 * Finds or creates the SHA's impact check run (`in_progress` while Backflow works). Callers hold the
 * per-SHA lease, so a redelivery finds the stored id and never creates a second run; a run found on
 * GitHub (one a dead worker left in progress, or the store lost) is adopted and completed later.
 */
export async function startImpactCheck(target: Target): Promise<Stored> {
  const { deps, headSha } = target;
  const key = checkRunKey(IMPACT_CHECK_NAME, headSha);
  const stored = await deps.store.repoState.get<Stored>({ repo: target.repoKey, key });
  if (stored) return stored;
  const started = await ensureCheckRun(writerFor(target, target.api), {
    name: IMPACT_CHECK_NAME,
    headSha,
    now: deps.clock(),
    desired: { status: "in_progress" },
    ...(deps.appId === undefined ? {} : { appId: deps.appId }),
  });
  // Nothing was created in dry run, so nothing is remembered: the next (real) run starts from GitHub again.
  if (started.id === undefined) return { id: 0, hash: "dry-run" };
  // An adopted run may show anything: "adopted" never equals a result's hash, so it is rewritten.
  const run = { id: started.id, hash: started.action === "created" ? "in_progress" : "adopted" };
  if (!deps.dryRun)
    await deps.store.repoState.put({ repo: target.repoKey, key, value: run, now: deps.clock() });
  if (started.action === "created")
    target.log.info(
      { repo: target.repoKey, headSha, checkRunId: run.id },
      "created impact check run in progress",
    );
  return run;
}

/**
 * Completes the check run with the result, unless it already says exactly that. Annotations go 50
 * per request (GitHub's limit): the first batch with the conclusion, the rest as further updates.
 */
export async function completeImpactCheck(
  target: Target & { run: Stored; content: ImpactCheckContent },
): Promise<"updated" | "unchanged"> {
  const { deps, headSha, run, content } = target;
  // A dry run created nothing (id 0): the writer finds no run and logs the creation it would make.
  const written = await ensureCheckRun(writerFor(target, target.api), {
    name: IMPACT_CHECK_NAME,
    headSha,
    now: deps.clock(),
    desired: desireOf(content),
    ...(run.id === 0 ? { absent: true } : { known: run }),
    ...(deps.appId === undefined ? {} : { appId: deps.appId }),
  });
  if (written.action !== "updated" && written.action !== "created") return "unchanged";
  await deps.store.repoState.put({
    repo: target.repoKey,
    key: checkRunKey(IMPACT_CHECK_NAME, headSha),
    value: { id: written.id, hash: written.hash },
    now: deps.clock(),
  });
  target.log.info(
    { repo: target.repoKey, headSha, checkRunId: written.id, conclusion: content.conclusion },
    "completed impact check run",
  );
  return "updated";
}
