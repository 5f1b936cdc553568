import { type DiffOp, type Hunk, splitLines } from "./unified-diff.js";

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Reads the hunks of a unified diff: a whole `git diff` of one file or GitHub's `files[].patch`
 * (hunks only). Header lines and "\ No newline at end of file" markers are skipped.
 */
export function parsePatch(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let current:
    | { oldStart: number; oldLines: number; newStart: number; newLines: number; ops: DiffOp[] }
    | undefined;
  for (const raw of patch.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const header = HUNK_HEADER.exec(line);
    if (header) {
      current = {
        oldStart: Number(header[1]),
        oldLines: header[2] === undefined ? 1 : Number(header[2]),
        newStart: Number(header[3]),
        newLines: header[4] === undefined ? 1 : Number(header[4]),
        ops: [],
      };
      hunks.push(current);
      continue;
    }
    if (!current || line.startsWith("\\")) continue;
    const counted = current.ops.filter((o) => o.op !== "add").length;
    const added = current.ops.filter((o) => o.op !== "del").length;
    if (counted >= current.oldLines && added >= current.newLines) continue;
    const tag = line[0];
    const text = line.slice(1);
    if (tag === " " || line === "") current.ops.push({ op: "keep", line: text });
    else if (tag === "-") current.ops.push({ op: "del", line: text });
    else if (tag === "+") current.ops.push({ op: "add", line: text });
  }
  return hunks;
}

export type ApplyResult =
  | { readonly ok: true; readonly text: string; readonly offsets: readonly number[] }
  | { readonly ok: false; readonly hunk: number; readonly reason: string };

function matchesAt(lines: readonly string[], block: readonly string[], at: number): boolean {
  if (at < 0 || at + block.length > lines.length) return false;
  return block.every((line, i) => lines[at + i] === line);
}

/** Nearest position to `expected`, at or after `floor`, where `block` appears. */
function locate(
  lines: readonly string[],
  block: readonly string[],
  expected: number,
  floor: number,
): number | undefined {
  if (block.length === 0) return Math.max(floor, Math.min(expected, lines.length));
  const reach = Math.max(lines.length, expected) + 1;
  for (let distance = 0; distance <= reach; distance++) {
    for (const at of distance === 0 ? [expected] : [expected - distance, expected + distance]) {
      if (at >= floor && matchesAt(lines, block, at)) return at;
    }
  }
  return undefined;
}

/**
 * Applies hunks to `text` (or undoes them with `reverse`), finding each hunk's lines near where its
 * header says, shifted by the offset earlier hunks needed (fuzz on line offsets, never on content).
 * Refuses with the failing hunk when its lines are no longer in the file.
 */
export function applyHunks(
  text: string,
  hunks: readonly Hunk[],
  options: { reverse?: boolean } = {},
): ApplyResult {
  const lines = splitLines(text);
  const finalNewline = text === "" || text.endsWith("\n");
  // Forward, the file holds the hunk's old side (kept + deleted lines); reversed, its new side.
  const absent = options.reverse ? "del" : "add";
  const present = options.reverse ? "add" : "del";
  const offsets: number[] = [];
  let delta = 0;
  let floor = 0;
  for (const [index, hunk] of hunks.entries()) {
    const expectedBlock = hunk.ops.filter((o) => o.op !== absent).map((o) => o.line);
    const replacement = hunk.ops.filter((o) => o.op !== present).map((o) => o.line);
    const start = options.reverse ? hunk.newStart : hunk.oldStart;
    const count = options.reverse ? hunk.newLines : hunk.oldLines;
    const expected = (count === 0 ? start : start - 1) + delta;
    const at = locate(lines, expectedBlock, expected, floor);
    if (at === undefined) {
      return {
        ok: false,
        hunk: index,
        reason: `hunk ${index + 1} (@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@) no longer applies: the lines it ${options.reverse ? "added" : "expects"} were changed since`,
      };
    }
    offsets.push(at - (expected - delta));
    lines.splice(at, expectedBlock.length, ...replacement);
    delta += at - expected + replacement.length - expectedBlock.length;
    floor = at + replacement.length;
  }
  const joined = lines.join("\n");
  return { ok: true, text: lines.length > 0 && finalNewline ? `${joined}\n` : joined, offsets };
}
