import type { CommandOf } from "../../core/commands/command-schema.js";
import { escapeMarkdown } from "../../core/render/escape-markdown.js";
import type { Finding } from "../../core/triage/triage-signal.js";
import { listRecentCommits } from "../drift/recent-commits.js";
import { COMMIT_DAYS } from "../drift/triage-run.js";
import { enqueueOpenProposal } from "../proposals/open-proposal-job.js";
import { type CommandContext, type CommandResult, done, failed } from "./command-context.js";
import { findingOfIssue } from "./execute-finding-command.js";

/**
 * `/backflow propose [kind]` on a drift issue: queues the proposal job, which opens (or refreshes)
 * a draft pull request and links it from the issue. Without a kind, a cleansing rule is proposed;
 * `revert [sha]` undoes the named commit or the newest change to a suspect file.
 */
export async function executePropose(
  ctx: CommandContext,
  command: CommandOf<"propose">,
): Promise<CommandResult> {
  const found = await findingOfIssue(ctx, "propose");
  if (!found.ok) return found.result;
  const kind = command.args.kind ?? "cleansing";
  let culprit: Culprit | undefined;
  if (kind === "revert") {
    const chosen = await chooseCommitToRevert(ctx, found.record.finding, command.args.commit);
    if (!chosen.ok) return chosen.result;
    culprit = chosen.culprit;
  }
  const payload = {
    repo: `${ctx.owner}/${ctx.repo}`,
    installationId: ctx.installationId,
    fingerprint: found.record.fingerprint,
    kind,
    issueNumber: ctx.issue.number,
    ...(culprit ? { commitSha: culprit.sha } : {}),
  };
  const created = await enqueueOpenProposal({ store: ctx.deps.store, payload, now: ctx.now });
  const what = culprit ? `**revert** of ${describeCulprit(culprit)}` : `**${kind}** proposal`;
  return done(
    created
      ? `Preparing a ${what}; the draft pull request will be linked here.`
      : `A ${what} for this finding is already being prepared; its draft pull request will be linked here.`,
  );
}

type Culprit = { readonly sha: string; readonly file?: string; readonly message?: string };

function describeCulprit(culprit: Culprit): string {
  const title = culprit.message?.split("\n")[0];
  const notes = [
    ...(title ? [escapeMarkdown(title)] : []),
    ...(culprit.file ? [`the newest change to \`${culprit.file}\``] : []),
  ];
  return `\`${culprit.sha.slice(0, 8)}\`${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
}

/**
 * The commit a revert proposal undoes: the one named, else the newest commit of the last
 * COMMIT_DAYS days that touched one of the finding's suspect files (recently changed suspects
 * first, as the drift issue lists them).
 */
async function chooseCommitToRevert(
  ctx: CommandContext,
  finding: Finding,
  named: string | undefined,
): Promise<{ ok: true; culprit: Culprit } | { ok: false; result: CommandResult }> {
  if (named) return { ok: true, culprit: { sha: named.toLowerCase() } };
  const files = [...new Set(finding.suspects.flatMap((s) => (s.file ? [s.file] : [])))];
  const byFile = await listRecentCommits({
    octokit: ctx.octokit,
    owner: ctx.owner,
    repo: ctx.repo,
    files,
    since: new Date(ctx.now.getTime() - COMMIT_DAYS * 86_400_000),
    api: { calls: 0 },
    limits: { maxFiles: 5, perFile: 1, maxPullLookups: 0 },
  });
  const newest = [...byFile]
    .flatMap(([file, commits]) => commits.map((c) => ({ file, ...c })))
    .sort((a, b) => b.date.localeCompare(a.date))[0];
  if (!newest) {
    const named =
      files
        .slice(0, 5)
        .map((f) => `\`${f}\``)
        .join(", ") || "none with a file";
    return {
      ok: false,
      result: failed(
        `No commit touched this finding's suspect files (${named}) in the last ${COMMIT_DAYS} days. Name the commit: \`/backflow propose revert <sha>\`, or run \`/backflow rollback\` on the merged pull request.`,
      ),
    };
  }
  return { ok: true, culprit: { sha: newest.sha, file: newest.file, message: newest.message } };
}
