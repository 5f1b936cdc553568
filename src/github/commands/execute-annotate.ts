import type { CommandOf } from "../../core/commands/command-schema.js";
import { codeSpan, escapeMarkdown } from "../../core/render/escape-markdown.js";
import { annotationConcerns } from "../../core/triage/annotation-covers.js";
import { type Annotation, AnnotationSchema } from "../../core/triage/annotations.js";
import { postComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";
import { type CommandContext, type CommandResult, done } from "./command-context.js";

const day = (iso: string | undefined, open: string) =>
  iso ? iso.replace(/T00:00:00\.000Z$|T23:59:59\.999Z$/, "") : open;

/**
 * Stores an annotation from `/backflow annotate`; triage then treats breaches on that dataset inside
 * the window as expected, and the open drift issues it concerns are told. The id comes from the
 * comment and line, so a redelivery stores (and tells) it once.
 */
export async function executeAnnotate(
  ctx: CommandContext,
  command: CommandOf<"annotate"> & { line: number },
): Promise<CommandResult> {
  const { args } = command;
  const annotation: Annotation = AnnotationSchema.parse({
    id: `comment:${ctx.commentId}:${command.line}`,
    repo: ctx.repoKey,
    dataset: args.dataset,
    kind: args.kind,
    ...(args.from ? { from: args.from } : {}),
    ...(args.to ? { to: args.to } : {}),
    note: args.note,
    author: ctx.actor,
    createdAt: ctx.now.toISOString(),
  });
  const added = await ctx.deps.store.annotations.add(annotation);
  ctx.log.info({ repo: ctx.repoKey, annotation: annotation.id, added }, "stored annotation from a command");
  const window = `${day(args.from, "always")} → ${day(args.to, "open-ended")}`;
  const summary = `${codeSpan(args.dataset)} as **${args.kind}** for ${window}: ${escapeMarkdown(args.note)}`;
  const told = added ? await tellAffectedIssues(ctx, annotation, summary) : [];
  return done(
    [
      `Annotated ${summary}`,
      "",
      "Breaches on this dataset inside the window are recorded but treated as expected: they open no issue.",
      ...(told.length > 0
        ? ["", `Noted on the open drift issues it concerns: ${told.map((n) => `#${n}`).join(", ")}.`]
        : []),
    ].join("\n"),
  );
}

const MAX_ISSUES_TOLD = 20;

/** Comments the annotation on the open drift issues of the datasets it covers (not the one it was written on). */
async function tellAffectedIssues(
  ctx: CommandContext,
  annotation: Annotation,
  summary: string,
): Promise<number[]> {
  const open = await ctx.deps.store.findings.list({ repo: ctx.repoKey, state: "open", limit: 500 });
  const issues = open
    .filter((r) =>
      annotationConcerns(annotation, {
        tableId: r.finding.tableId,
        openedAt: r.openedAt?.toISOString() ?? null,
      }),
    )
    .flatMap((r) => (r.issueNumber !== null && r.issueNumber !== ctx.issue.number ? [r.issueNumber] : []));
  const unique = [...new Set(issues)].slice(0, MAX_ISSUES_TOLD);
  const body = `📝 ${escapeMarkdown(ctx.actor)} annotated ${summary} ([comment](${ctx.commentUrl})). Breaches of this finding inside the window are now treated as expected.`;
  const writer = writerFor(ctx);
  for (const issueNumber of unique) await postComment(writer, { issueNumber, body });
  // A dry run told nobody.
  return writer.dryRun ? [] : unique;
}
