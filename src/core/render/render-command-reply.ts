import type { CommandName } from "../commands/command-schema.js";
import { codeSpan, escapeMarkdown } from "./escape-markdown.js";
import { fitSections } from "./fit-to-limit.js";

/** How one command line ended: run, refused for lack of access, failed, not parsed, or waiting on a feature. */
export type CommandStatus = "done" | "failed" | "refused" | "invalid" | "unavailable";

export type CommandOutcome = {
  readonly line: number;
  /** The command as the user typed it (untrusted; rendered in a code span). */
  readonly text: string;
  readonly command?: CommandName;
  readonly status: CommandStatus;
  /** Markdown Backflow built (untrusted parts already escaped by whoever built it). */
  readonly message: string;
};

const ICON: Readonly<Record<CommandStatus, string>> = {
  done: "✅",
  failed: "❌",
  refused: "🔒",
  invalid: "⚠️",
  unavailable: "⏳",
};

/** The hidden marker of Backflow's reply to one comment, so a retry edits the reply instead of adding one. */
export function replyMarker(commentId: number): string {
  return `<!-- backflow:reply ${commentId} -->`;
}

/** Whether every command ran; the comment then gets 🚀 instead of 😕. */
export function allSucceeded(outcomes: readonly CommandOutcome[]): boolean {
  return outcomes.length > 0 && outcomes.every((o) => o.status === "done");
}

/**
 * The reply to a comment with `/backflow` commands: one section per command, in the order written,
 * each with its status, the command as typed and the result.
 */
export function renderCommandReply(input: {
  commentId: number;
  actor: string;
  outcomes: readonly CommandOutcome[];
}): string {
  const sections = input.outcomes.map((o) => {
    const head = `${ICON[o.status]} ${codeSpan(`/backflow ${o.text}`.trim())}`;
    return { text: `---\n\n${head}\n\n${o.message}` };
  });
  const intro = `${replyMarker(input.commentId)}\nRan ${input.outcomes.length === 1 ? "the command" : `${input.outcomes.length} commands`} from ${escapeMarkdown(input.actor)}'s comment.`;
  return fitSections([{ text: intro, keep: true }, ...sections]);
}
