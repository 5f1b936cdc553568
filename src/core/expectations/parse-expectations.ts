import { parseDuration } from "../commands/parse-duration.js";
import { resolveTarget } from "../commands/resolve-target.js";
import { codeSpan } from "../render/escape-markdown.js";
import {
  type ComparisonOperator,
  type Expectation,
  type ExpectationProblem,
  ExpectationSchema,
} from "./expectation-schema.js";

export const EXPECTATION_SYNTAX =
  "`- metric: <metric>(<dataset>[.<column>]) <op> <value> within|for <duration>` or `- metric: <metric>(<dataset>) within <n>% of baseline within|for <duration>`";

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/;

/** The lines (with their numbers) of each fenced block tagged `expects`, or whose first line is `expects:`. */
function expectsBlocks(body: string): Array<Array<{ line: number; text: string }>> {
  const blocks: Array<Array<{ line: number; text: string }>> = [];
  let open: { run: string; lines: Array<{ line: number; text: string }>; tagged: boolean } | undefined;
  body
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .forEach((text, index) => {
      const fence = FENCE.exec(text);
      if (open) {
        const run = fence?.[1];
        if (run && run[0] === open.run[0] && run.length >= open.run.length && !fence?.[2]?.trim()) {
          const first = open.lines.findIndex((l) => l.text.trim() !== "");
          const head = open.lines[first]?.text.trim().toLowerCase();
          if (open.tagged) blocks.push(open.lines.filter((l) => l.text.trim().toLowerCase() !== "expects:"));
          else if (head === "expects:") blocks.push(open.lines.slice(first + 1));
          open = undefined;
        } else open.lines.push({ line: index + 1, text });
        return;
      }
      if (fence?.[1])
        open = { run: fence[1], lines: [], tagged: /^expects:?$/i.test((fence[2] ?? "").trim()) };
    });
  return blocks;
}

const TARGET = /^([A-Za-z_][\w-]*)\(\s*([^()\s]+)\s*\)\s*/;
const COMPARE = /^(>=|<=|==|>|<)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%?)(?:\s+|$)/i;
const BASELINE = /^within\s+(\d+(?:\.\d+)?)\s*%\s+of\s+baseline(?:\s+|$)/i;
const WINDOW = /^(within|for)\s+(\S+)\s*$/i;

type LineResult = { ok: true; expectation: Expectation } | { ok: false; message: string };

function parseCondition(
  rest: string,
): { condition: Expectation["condition"]; rest: string } | { message: string } {
  const baseline = BASELINE.exec(rest);
  if (baseline)
    return {
      condition: { type: "baseline", tolerance: Number(baseline[1]) / 100 },
      rest: rest.slice(baseline[0].length),
    };
  const compare = COMPARE.exec(rest);
  if (!compare)
    return {
      message: `expected a comparison (\`>=\`, \`<=\`, \`>\`, \`<\`, \`==\` and a number) or \`within <n>% of baseline\` at ${codeSpan(rest)}`,
    };
  if (compare[3])
    return { message: `write the value as the signals report it (e.g. \`0.99\`), without \`%\`` };
  return {
    condition: { type: "compare", operator: compare[1] as ComparisonOperator, value: Number(compare[2]) },
    rest: rest.slice(compare[0].length),
  };
}

function parseLine(line: number, raw: string): LineResult {
  const body = /^\s*[-*]\s*metric\s*:\s*(.*)$/i.exec(raw)?.[1];
  if (body === undefined)
    return { ok: false, message: `expected \`- metric: …\`, found ${codeSpan(raw.trim())}` };
  const text = body.trim();
  const target = TARGET.exec(text);
  if (!target)
    return {
      ok: false,
      message: `expected \`<metric>(<dataset>[.<column>])\` at the start of ${codeSpan(text)}`,
    };
  const condition = parseCondition(text.slice(target[0].length));
  if ("message" in condition) return { ok: false, message: condition.message };
  const window = WINDOW.exec(condition.rest);
  if (!window)
    return {
      ok: false,
      message: `expected \`within <duration>\` or \`for <duration>\` at the end, found ${codeSpan(condition.rest || "nothing")}`,
    };
  const duration = parseDuration(window[2] as string);
  if (!duration.ok) return { ok: false, message: duration.error };
  const expectation = ExpectationSchema.parse({
    line,
    text,
    metric: target[1],
    target: target[2],
    ...resolveTarget(target[2] as string),
    condition: condition.condition,
    mode: (window[1] as string).toLowerCase(),
    duration: window[2],
    durationMs: duration.ms,
  });
  return { ok: true, expectation };
}

/**
 * The expectations of a pull request body: every `- metric:` line in a fenced block tagged
 * `expects` (or whose first line is `expects:`), with a problem for each line that does not parse.
 * @example parseExpectations("```expects\n- metric: volume(orders) within 5% of baseline for 7d\n```")
 */
export function parseExpectations(body: string): {
  expectations: Expectation[];
  problems: ExpectationProblem[];
} {
  const expectations: Expectation[] = [];
  const problems: ExpectationProblem[] = [];
  for (const block of expectsBlocks(body)) {
    for (const { line, text } of block) {
      if (text.trim() === "" || text.trim().startsWith("#")) continue;
      const result = parseLine(line, text);
      if (result.ok) expectations.push(result.expectation);
      else problems.push({ line, message: result.message });
    }
  }
  return { expectations, problems };
}

/** Whether a pull request body has an `expects:` block at all (even one with only problems). */
export function hasExpectsBlock(body: string): boolean {
  return expectsBlocks(body).length > 0;
}
