import type { z } from "zod";
import { codeSpan } from "../render/escape-markdown.js";
import {
  ANNOTATION_KINDS,
  COMMAND_ARGS,
  COMMAND_USAGE,
  type Command,
  type CommandName,
  LINEAGE_DIRECTIONS,
  PROPOSAL_KINDS,
} from "./command-schema.js";
import { parseDuration } from "./parse-duration.js";
import { parseTimeWindow } from "./parse-time-window.js";
import { suggestWord } from "./suggest-word.js";

export type ArgsResult =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly error: string; readonly suggestion?: string };

const fail = (error: string, suggestion?: string): ArgsResult => ({
  ok: false,
  error,
  ...(suggestion ? { suggestion } : {}),
});
const usage = (name: CommandName) => `usage: \`${COMMAND_USAGE[name]}\``;
const joinNote = (words: readonly string[]) => words.join(" ").trim() || undefined;

/** Validates built arguments with the command's zod schema; the first problem becomes the error. */
function validated<K extends CommandName>(name: K, args: unknown): ArgsResult {
  const result = (COMMAND_ARGS[name] as z.ZodType).safeParse(args);
  if (result.success) return { ok: true, command: { command: name, args: result.data } as Command };
  const issue = result.error.issues[0];
  const field = issue?.path.length ? `\`${issue.path.join(".")}\`: ` : "";
  return fail(`${field}${issue?.message ?? "invalid arguments"} — ${usage(name)}`);
}

/** Picks one of `choices`, or explains the mistake with the closest choice. */
function choose<T extends string>(
  word: string,
  choices: readonly T[],
  what: string,
): { ok: true; value: T } | { ok: false; result: ArgsResult } {
  const lower = word.toLowerCase() as T;
  if (choices.includes(lower)) return { ok: true, value: lower };
  const near = suggestWord(word, choices);
  const hint = near
    ? ` — did you mean \`${near}\`?`
    : ` — use one of ${choices.map((c) => `\`${c}\``).join(", ")}`;
  return { ok: false, result: fail(`unknown ${what} ${codeSpan(word)}${hint}`, near) };
}

function parseNumber(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function report(words: readonly string[]): ArgsResult {
  const [target, metric, valueText, ...note] = words;
  if (target === undefined || metric === undefined || valueText === undefined) {
    return fail(`\`report\` needs a dataset, a metric and a value — ${usage("report")}`);
  }
  const value = parseNumber(valueText);
  if (value === undefined)
    return fail(`\`value\` must be a number, not ${codeSpan(valueText)} — ${usage("report")}`);
  return validated("report", { target, metric, value, note: joinNote(note) });
}

/** Accepts the window as one word or spread over words (`2026-11-01 .. 2026-12-01`). */
function takeWindow(words: readonly string[]): { text: string; rest: readonly string[] } {
  const [first = "", second, third] = words;
  if (second === ".." && third !== undefined && /^\d{4}-/.test(third))
    return { text: `${first}..${third}`, rest: words.slice(3) };
  if (
    first.endsWith("..") &&
    second?.startsWith("..") === false &&
    /^\d{4}-\d{2}-\d{2}/.test(second) &&
    first !== ".."
  ) {
    return { text: `${first}${second}`, rest: words.slice(2) };
  }
  if (first === ".." && second !== undefined && /^\d{4}-/.test(second))
    return { text: `..${second}`, rest: words.slice(2) };
  return { text: first, rest: words.slice(1) };
}

function annotate(words: readonly string[]): ArgsResult {
  const [dataset, kindWord, ...after] = words;
  if (dataset === undefined || kindWord === undefined || after.length === 0) {
    return fail(`\`annotate\` needs a dataset, a kind, a window and a note — ${usage("annotate")}`);
  }
  const kind = choose(kindWord, ANNOTATION_KINDS, "annotation kind");
  if (!kind.ok) return kind.result;
  const { text, rest } = takeWindow(after);
  const window = parseTimeWindow(text);
  if (!window.ok) return fail(`${window.error} — ${usage("annotate")}`);
  const note = joinNote(rest);
  if (note === undefined)
    return fail(`an annotation needs a note saying what happened — ${usage("annotate")}`);
  return validated("annotate", { dataset, kind: kind.value, ...window.window, note });
}

function lineage(words: readonly string[]): ArgsResult {
  const [target, directionWord, ...extra] = words;
  if (target === undefined) return fail(`\`lineage\` needs a table or table.column — ${usage("lineage")}`);
  if (extra.length > 0) return fail(`\`lineage\` takes at most two arguments — ${usage("lineage")}`);
  if (directionWord === undefined) return validated("lineage", { target, direction: "both" });
  const direction = choose(directionWord, LINEAGE_DIRECTIONS, "direction");
  return direction.ok ? validated("lineage", { target, direction: direction.value }) : direction.result;
}

function propose(words: readonly string[]): ArgsResult {
  const [kindWord, commit, ...extra] = words;
  if (kindWord === undefined) return validated("propose", {});
  const kind = choose(kindWord, PROPOSAL_KINDS, "proposal kind");
  if (!kind.ok) return kind.result;
  if (commit === undefined) return validated("propose", { kind: kind.value });
  if (kind.value !== "revert" || extra.length > 0)
    return fail(`only \`propose revert\` takes a second argument, the commit — ${usage("propose")}`);
  return validated("propose", { kind: kind.value, commit });
}

function snooze(words: readonly string[]): ArgsResult {
  const text = words.join("");
  if (text === "")
    return fail(`\`snooze\` needs a duration such as \`3d\`, \`12h\` or \`1w\` — ${usage("snooze")}`);
  const duration = parseDuration(text);
  return duration.ok
    ? validated("snooze", { duration: text, ms: duration.ms })
    : fail(`${duration.error} — ${usage("snooze")}`);
}

function noArgs(name: "help" | "rollback", words: readonly string[]): ArgsResult {
  return words.length > 0 ? fail(`\`${name}\` takes no arguments — ${usage(name)}`) : validated(name, {});
}

/** Builds and validates the typed arguments of `name` from the words after it. */
export function parseCommandArgs(name: CommandName, words: readonly string[]): ArgsResult {
  switch (name) {
    case "help":
    case "rollback":
      return noArgs(name, words);
    case "report":
      return report(words);
    case "annotate":
      return annotate(words);
    case "lineage":
      return lineage(words);
    case "propose":
      return propose(words);
    case "snooze":
      return snooze(words);
    case "resolve":
      return validated("resolve", { reason: joinNote(words) });
  }
}
