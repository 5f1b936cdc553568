import type { CommandOf } from "../../core/commands/command-schema.js";
import { escapeMarkdown } from "../../core/render/escape-markdown.js";
import type { FindingRecord } from "../../store/store.js";
import { closeIssue } from "../writers/ensure-issue.js";
import { writerFor } from "../writers/github-writer.js";
import { type CommandContext, type CommandResult, done, failed } from "./command-context.js";

const FINDING_MARKER = /<!-- backflow:finding ([0-9a-f]{6,64}) -->/;

/** The fingerprint in a drift issue's hidden marker, or undefined when the issue is not one. */
export function findingFingerprintOf(body: string): string | undefined {
  return FINDING_MARKER.exec(body)?.[1];
}

/** The finding tracked by the issue the command was written on, or a failure saying why there is none. */
export async function findingOfIssue(
  ctx: CommandContext,
  name: string,
): Promise<{ ok: true; record: FindingRecord } | { ok: false; result: CommandResult }> {
  const fingerprint = findingFingerprintOf(ctx.issue.body);
  if (!fingerprint || ctx.issue.isPullRequest) {
    return {
      ok: false,
      result: failed(
        `\`${name}\` works on a drift issue that Backflow opened; this ${ctx.issue.isPullRequest ? "pull request" : "issue"} is not one.`,
      ),
    };
  }
  const record = await ctx.deps.store.findings.get({ repo: ctx.repoKey, fingerprint });
  if (!record)
    return {
      ok: false,
      result: failed(`Backflow has no record of finding \`${fingerprint.slice(0, 12)}\` any more.`),
    };
  return { ok: true, record };
}

/** `/backflow snooze 3d`: signals are still recorded, but the issue gets no comments until then. */
export async function executeSnooze(
  ctx: CommandContext,
  command: CommandOf<"snooze">,
): Promise<CommandResult> {
  const found = await findingOfIssue(ctx, "snooze");
  if (!found.ok) return found.result;
  const until = new Date(ctx.now.getTime() + command.args.ms);
  // Only the snooze field changes: a triage running meanwhile keeps everything else it writes.
  await ctx.deps.store.findings.snooze({
    repo: found.record.repo,
    fingerprint: found.record.fingerprint,
    until,
    now: ctx.now,
  });
  return done(
    `Snoozed until ${until.toISOString()}. Signals are still recorded; this issue stays quiet until then.`,
  );
}

/** `/backflow resolve [reason]`: marks the finding resolved and closes its issue. */
export async function executeResolve(
  ctx: CommandContext,
  command: CommandOf<"resolve">,
): Promise<CommandResult> {
  const found = await findingOfIssue(ctx, "resolve");
  if (!found.ok) return found.result;
  // open → resolved by compare-and-set: a finding triage resolved meanwhile stays as triage left it.
  await ctx.deps.store.findings.transition({
    repo: found.record.repo,
    fingerprint: found.record.fingerprint,
    from: "open",
    to: "resolved",
    now: ctx.now,
  });
  await closeIssue(writerFor(ctx), { issueNumber: ctx.issue.number });
  const reason = command.args.reason ? `: ${escapeMarkdown(command.args.reason)}` : ".";
  return done(
    `Resolved by ${escapeMarkdown(ctx.actor)}${reason} If the metric breaches again, Backflow reports it again.`,
  );
}
