import { canRunCommand } from "../../core/commands/can-run-command.js";
import { COMMAND_NAMES, type CommandName, type ParsedCommand } from "../../core/commands/command-schema.js";
import type { Permission } from "../../core/config/schema.js";
import { BackflowError } from "../../core/errors.js";
import { escapeMarkdown } from "../../core/render/escape-markdown.js";
import {
  allSucceeded,
  type CommandOutcome,
  renderCommandReply,
} from "../../core/render/render-command-reply.js";
import { enqueueDashboardRefresh } from "../dashboard/refresh-dashboard-job.js";
import type { CommandContext } from "./command-context.js";
import { reactToComment, upsertReply } from "./comment-writes.js";
import { executeCommand } from "./execute-command.js";
import { fetchPermission } from "./fetch-permission.js";

/** Commands whose effect shows on the feedback dashboard. */
const CHANGES_DASHBOARD: ReadonlySet<CommandName> = new Set([
  "annotate",
  "report",
  "snooze",
  "resolve",
  "propose",
  "rollback",
]);

function refusal(ctx: CommandContext, command: CommandName, needs: Permission): string {
  return [
    `Sorry, ${escapeMarkdown(ctx.actor)} — \`${command}\` can only be run by people with **${needs}** access (or more) to this repository, so nothing was changed.`,
    "Ask someone with that access to run it, or a maintainer can change who may run it with `commands.permissions` (or, for `report` and `annotate`, `commands.openToCommenters`) in `.github/backflow.yml`.",
  ].join(" ");
}

/** Runs one command and turns an expected error into a failed outcome; unexpected ones are logged. */
async function runOne(
  ctx: CommandContext,
  parsed: ParsedCommand & { command: CommandName },
  allowed: ReadonlySet<CommandName> | undefined,
) {
  try {
    return await executeCommand(ctx, parsed, allowed);
  } catch (error) {
    if (error instanceof BackflowError)
      return { status: "failed" as const, message: escapeMarkdown(error.message) };
    ctx.log.error({ err: error, repo: ctx.repoKey, command: parsed.command }, "command failed unexpectedly");
    return {
      status: "failed" as const,
      message: "Backflow hit an unexpected error running this command; it has been logged. Try again later.",
    };
  }
}

/**
 * The commands the actor may not run, as refused outcomes (undefined where the command may run), and
 * the permission GitHub gave them when it had to be looked up (once, and only when needed).
 */
async function checkPermissions(
  ctx: CommandContext,
  parsed: readonly ParsedCommand[],
): Promise<{ outcomes: Array<CommandOutcome | undefined>; held: Permission | null | undefined }> {
  let held: Permission | null | undefined;
  const permission = async () => {
    held ??= await fetchPermission({
      octokit: ctx.octokit,
      owner: ctx.owner,
      repo: ctx.repo,
      username: ctx.actor,
    });
    return held;
  };
  const outcomes: Array<CommandOutcome | undefined> = [];
  for (const p of parsed) {
    if (p.command === undefined) {
      // Parser errors are Backflow's markdown; the user's words in them are already in code spans.
      outcomes.push({ line: p.line, text: p.text, status: "invalid", message: p.error });
      continue;
    }
    const open = canRunCommand({ command: p.command, held: null, config: ctx.config });
    const verdict = open.allowed
      ? open
      : canRunCommand({ command: p.command, held: await permission(), config: ctx.config });
    outcomes.push(
      verdict.allowed
        ? undefined
        : {
            line: p.line,
            text: p.text,
            command: p.command,
            status: "refused",
            message: refusal(ctx, p.command, verdict.needs),
          },
    );
  }
  return { outcomes, held };
}

/**
 * Runs the commands of one comment in order: checks each against the repository permission the
 * config asks for, reacts 👀 before running anything, runs, records each in the audit log, reacts 🚀
 * when all succeeded (😕 otherwise) and replies with the results. When every command is refused,
 * the refusal reply is the only write.
 */
export async function runCommentCommands(
  ctx: CommandContext,
  parsed: readonly ParsedCommand[],
): Promise<CommandOutcome[]> {
  const { outcomes, held } = await checkPermissions(ctx, parsed);
  const allowed = new Set<CommandName>();
  // Help marks what the reader may not run only when their permission was looked up anyway.
  const known = held === undefined ? undefined : allowed;
  for (const name of COMMAND_NAMES) {
    if (canRunCommand({ command: name, held: held ?? null, config: ctx.config }).allowed) allowed.add(name);
  }
  const runnable = outcomes.some((o) => o === undefined);
  const write = {
    octokit: ctx.octokit,
    deps: ctx.deps,
    log: ctx.log,
    owner: ctx.owner,
    repo: ctx.repo,
    commentId: ctx.commentId,
  };
  if (runnable) await reactToComment({ ...write, content: "eyes" });
  const results: CommandOutcome[] = [];
  for (const [i, p] of parsed.entries()) {
    const settled = outcomes[i];
    const outcome: CommandOutcome = settled ?? {
      line: p.line,
      text: p.text,
      command: p.command as CommandName,
      ...(await runOne(ctx, p as ParsedCommand & { command: CommandName }, known)),
    };
    results.push(outcome);
    await ctx.deps.store.audit.record({
      at: ctx.now,
      actor: ctx.actor,
      action: `command.${outcome.command ?? "invalid"}`,
      repo: ctx.repoKey,
      target: `#${ctx.issue.number}`,
      detail: {
        status: outcome.status,
        line: p.line,
        text: p.text,
        comment: ctx.commentId,
        ...(p.command ? { args: p.args } : {}),
      },
    });
  }
  const onlyRefused = results.every((o) => o.status === "refused");
  if (!onlyRefused)
    await reactToComment({ ...write, content: allSucceeded(results) ? "rocket" : "confused" });
  if (results.some((o) => o.status === "done" && o.command && CHANGES_DASHBOARD.has(o.command))) {
    await enqueueDashboardRefresh({ store: ctx.deps.store, repo: ctx.repoKey, now: ctx.now });
  }
  const body = renderCommandReply({ commentId: ctx.commentId, actor: ctx.actor, outcomes: results });
  await upsertReply({ ...write, repoKey: ctx.repoKey, issueNumber: ctx.issue.number, body, now: ctx.now });
  return results;
}
