import { createHash } from "node:crypto";
import type { GitHubWriter, WriteAction } from "./github-writer.js";

/** GitHub takes at most this many annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

export type CheckAnnotation = {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: "failure" | "warning" | "notice";
  readonly title?: string;
  readonly message: string;
};

/** A button on the check run (`requested_action` events carry its identifier back). */
export type CheckAction = {
  readonly label: string;
  readonly description: string;
  readonly identifier: string;
};

export type CheckConclusion = "success" | "neutral" | "failure" | "action_required";

/** What a check run should show. */
export type CheckRunDesire =
  | { readonly status: "in_progress" }
  | {
      readonly status: "completed";
      readonly conclusion: CheckConclusion;
      readonly title: string;
      readonly summary: string;
      /** `output.text`: the details, with their own 65,535-character budget. */
      readonly text?: string;
      readonly annotations?: readonly CheckAnnotation[];
      readonly actions?: readonly CheckAction[];
    };

/** A check run Backflow wrote before, as a store remembers it. */
export type KnownCheckRun = { readonly id: number; readonly hash: string };

export type EnsureCheckRunResult = {
  readonly action: WriteAction;
  /** The run written or found; absent for a dry-run creation. */
  readonly id?: number;
  /** The hash of what the run now shows, for the caller to remember with the id. */
  readonly hash: string;
};

/** The hash of what the user sees, so an unchanged run is not rewritten. `in_progress` for a started run. */
export function checkRunDesireHash(desired: CheckRunDesire): string {
  if (desired.status === "in_progress") return "in_progress";
  const { conclusion, title, summary, text, annotations, actions } = desired;
  const extra = (annotations?.length ?? 0) + (actions?.length ?? 0) > 0 ? [annotations, actions] : [];
  const canonical = JSON.stringify([conclusion, title, summary, text ?? null, ...extra]);
  return createHash("sha256").update(canonical).digest("hex");
}

type FoundRun = {
  id: number;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
};

/** What a run found on GitHub shows, hashed like a desire (annotations and buttons cannot be read back). */
function foundHash(run: FoundRun): string | undefined {
  if (run.status !== "completed" || run.conclusion === null) return undefined;
  return checkRunDesireHash({
    status: "completed",
    conclusion: run.conclusion as CheckConclusion,
    title: run.output.title ?? "",
    summary: run.output.summary ?? "",
    ...(run.output.text === null ? {} : { text: run.output.text }),
  });
}

/** This app's latest run of `name` on the commit (and with `externalId`, when given), found through GitHub. */
export async function findCheckRun(
  writer: GitHubWriter,
  input: {
    readonly name: string;
    readonly headSha: string;
    readonly appId?: number;
    readonly externalId?: string;
  },
): Promise<FoundRun | undefined> {
  const { owner, repo } = writer;
  const runs = await writer.read((o) =>
    o.paginate(o.rest.checks.listForRef, {
      owner,
      repo,
      ref: input.headSha,
      check_name: input.name,
      filter: "latest",
      per_page: 100,
      ...(input.appId === undefined ? {} : { app_id: input.appId }),
    }),
  );
  return runs.find(
    (run) =>
      run.name === input.name &&
      run.head_sha === input.headSha &&
      (input.externalId === undefined || run.external_id === input.externalId),
  );
}

function outputOf(
  desired: Extract<CheckRunDesire, { status: "completed" }>,
  batch: readonly CheckAnnotation[],
) {
  return {
    title: desired.title,
    summary: desired.summary,
    ...(desired.text ? { text: desired.text } : {}),
    ...(batch.length > 0 ? { annotations: [...batch] } : {}),
  };
}

/** The request fields that make a run show `desired`, with the first batch of annotations. */
function fieldsOf(desired: CheckRunDesire, now: Date) {
  if (desired.status === "in_progress")
    return { status: "in_progress" as const, started_at: now.toISOString() };
  const first = (desired.annotations ?? []).slice(0, ANNOTATIONS_PER_REQUEST);
  return {
    status: "completed" as const,
    conclusion: desired.conclusion,
    completed_at: now.toISOString(),
    output: outputOf(desired, first),
    actions: [...(desired.actions ?? [])],
  };
}

/** Annotations past the first 50 go in further updates (GitHub's limit per request). */
async function sendRemainingAnnotations(writer: GitHubWriter, id: number, desired: CheckRunDesire) {
  if (desired.status !== "completed") return;
  const rest = (desired.annotations ?? []).slice(ANNOTATIONS_PER_REQUEST);
  for (let i = 0; i < rest.length; i += ANNOTATIONS_PER_REQUEST) {
    const payload = {
      check_run_id: id,
      output: outputOf(desired, rest.slice(i, i + ANNOTATIONS_PER_REQUEST)),
    };
    await writer.send({ kind: "check-run", verb: `add annotations to check run ${id}`, payload }, (o, p) =>
      o.rest.checks.update(p),
    );
  }
}

/**
 * Makes the app's check run `name` on `headSha` show `desired`: one run per name and SHA. The run
 * the store remembers (`known`) is reused, else the one GitHub lists, else one is created. A run a
 * dead worker left `in_progress` is completed, never duplicated; asking for `in_progress` adopts any
 * existing run as it is. A run already showing `desired` is not rewritten.
 */
export async function ensureCheckRun(
  writer: GitHubWriter,
  input: {
    readonly name: string;
    readonly headSha: string;
    readonly desired: CheckRunDesire;
    readonly now: Date;
    readonly appId?: number;
    readonly externalId?: string;
    readonly known?: KnownCheckRun | null;
    /** The caller knows there is no run yet (a dry run created none): GitHub is not asked again. */
    readonly absent?: boolean;
  },
): Promise<EnsureCheckRunResult> {
  const { desired, name, headSha } = input;
  const hash = checkRunDesireHash(desired);
  let existing: { id: number; hash: string | undefined } | undefined = input.known ?? undefined;
  if (!existing && !input.absent) {
    const found = await findCheckRun(writer, input);
    if (found)
      existing = { id: found.id, hash: desired.status === "in_progress" ? "in_progress" : foundHash(found) };
  }
  if (existing && (existing.hash === hash || desired.status === "in_progress")) {
    writer.record("check-run", "unchanged", { checkRunId: existing.id, headSha });
    return { action: "unchanged", id: existing.id, hash: existing.hash ?? hash };
  }
  const fields = fieldsOf(desired, input.now);
  if (existing) {
    const id = existing.id;
    const payload = { check_run_id: id, ...fields };
    const sent = await writer.send({ kind: "check-run", verb: `update check run ${id}`, payload }, (o, p) =>
      o.rest.checks.update(p),
    );
    if (sent) await sendRemainingAnnotations(writer, id, desired);
    const action = sent ? "updated" : "dry-run";
    writer.record("check-run", action, { checkRunId: id, headSha });
    return { action, id, hash };
  }
  const payload = {
    name,
    head_sha: headSha,
    ...(input.externalId === undefined ? {} : { external_id: input.externalId }),
    ...fields,
  };
  const created = await writer.send({ kind: "check-run", verb: "create a check run", payload }, (o, p) =>
    o.rest.checks.create(p),
  );
  if (created) await sendRemainingAnnotations(writer, created.data.id, desired);
  const action = created ? "created" : "dry-run";
  writer.record("check-run", action, { checkRunId: created?.data.id, headSha });
  return { action, hash, ...(created ? { id: created.data.id } : {}) };
}
