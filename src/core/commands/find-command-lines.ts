/** The word that starts a command line. */
export const COMMAND_PREFIX = "/backflow";

export type CommandLine = {
  /** 1-based line number in the comment. */
  readonly line: number;
  /** What follows the prefix, trimmed. */
  readonly text: string;
};

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The lines of a comment that are commands: they start with `/backflow` (up to three spaces of
 * indentation, as markdown allows) and are neither inside a fenced code block nor a `>` quote, so a
 * reply that quotes someone's command, or documents one in a code block, runs nothing.
 */
export function findCommandLines(body: string): CommandLine[] {
  const found: CommandLine[] = [];
  let fence: { char: string; length: number } | undefined;
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  lines.forEach((raw, index) => {
    const opener = FENCE.exec(raw);
    if (fence) {
      const run = opener?.[1];
      if (run && run[0] === fence.char && run.length >= fence.length && raw.trim() === run) fence = undefined;
      return;
    }
    if (opener?.[1]) {
      fence = { char: opener[1][0] as string, length: opener[1].length };
      return;
    }
    const match = /^ {0,3}\/backflow(?=\s|$)(.*)$/i.exec(raw);
    if (match) found.push({ line: index + 1, text: (match[1] ?? "").trim() });
  });
  return found;
}
