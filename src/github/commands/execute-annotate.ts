import type { CommandOf } from "../../core/commands/command-schema.js";
import { codeSpan, escapeMarkdown } from "../../core/render/escape-markdown.js";
import { type Annotation, AnnotationSchema } from "../../core/triage/annotations.js";
import { type CommandContext, type CommandResult, done } from "./command-context.js";

const day = (iso: string | undefined, open: string) =>
  iso ? iso.replace(/T00:00:00\.000Z$|T23:59:59\.999Z$/, "") : open;

/**
 * Stores an annotation from `/backflow annotate`; triage then treats breaches on that dataset inside
 * the window as expected. The id comes from the comment and line, so a redelivery stores it once.
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
  return done(
    [
      `Annotated ${codeSpan(args.dataset)} as **${args.kind}** for ${window}: ${escapeMarkdown(args.note)}`,
      "",
      "Breaches on this dataset inside the window are recorded but treated as expected: they open no issue.",
    ].join("\n"),
  );
}
