import { codeSpan } from "../render/escape-markdown.js";
import { COMMAND_NAMES, type CommandName, type ParsedCommand } from "./command-schema.js";
import { findCommandLines } from "./find-command-lines.js";
import { parseCommandArgs } from "./parse-command-args.js";
import { suggestWord } from "./suggest-word.js";
import { tokenizeCommand } from "./tokenize-command.js";

/** Commands beyond this many in one comment are refused: one comment should not fan out into a flood. */
export const MAX_COMMANDS_PER_COMMENT = 10;

function parseLine(line: number, text: string): ParsedCommand {
  const tokens = tokenizeCommand(text);
  if (!tokens.ok) return { error: tokens.error, line, text };
  const [word, ...words] = tokens.tokens;
  if (word === undefined)
    return { error: "a command is missing after `/backflow` — try `/backflow help`", line, text };
  const name = word.toLowerCase();
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
    const near = suggestWord(name, COMMAND_NAMES);
    const hint = near ? ` — did you mean \`${near}\`?` : " — try `/backflow help`";
    return {
      error: `unknown command ${codeSpan(word)}${hint}`,
      ...(near ? { suggestion: near } : {}),
      line,
      text,
    };
  }
  const result = parseCommandArgs(name as CommandName, words);
  if (!result.ok)
    return {
      error: result.error,
      ...(result.suggestion ? { suggestion: result.suggestion } : {}),
      line,
      text,
    };
  return { ...result.command, line, text };
}

/**
 * Every `/backflow` command in a comment, in order, each parsed or with an error saying how to fix
 * it. Lines in fenced code blocks and `>` quotes are ignored. Never throws.
 * @example parseCommands("/backflow snooze 3d") // [{ command: "snooze", args: { duration: "3d", ms: 259200000 }, line: 1, text: "snooze 3d" }]
 */
export function parseCommands(body: string): ParsedCommand[] {
  const lines = findCommandLines(body);
  const parsed = lines.slice(0, MAX_COMMANDS_PER_COMMENT).map((l) => parseLine(l.line, l.text));
  if (lines.length > MAX_COMMANDS_PER_COMMENT) {
    const first = lines[MAX_COMMANDS_PER_COMMENT];
    parsed.push({
      error: `only the first ${MAX_COMMANDS_PER_COMMENT} commands of a comment run; post the rest in another comment`,
      line: first?.line ?? 0,
      text: first?.text ?? "",
    });
  }
  return parsed;
}
