/** A line-level edit script entry: kept, removed from `before`, or added in `after`. */
export type DiffOp = { readonly op: "keep" | "del" | "add"; readonly line: string };

/** One hunk of a unified diff; line numbers are 1-based (0 for an empty side). */
export type Hunk = {
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  readonly ops: readonly DiffOp[];
};

/** Lines of a text; a final newline does not make an empty last line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

// Above this many cells the middle is reported as replaced wholesale rather than aligned line by line.
const MAX_CELLS = 4_000_000;

function alignMiddle(a: readonly string[], b: readonly string[]): DiffOp[] {
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...a.map((line) => ({ op: "del" as const, line })),
      ...b.map((line) => ({ op: "add" as const, line })),
    ];
  }
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ op: "keep", line: a[i++] as string });
      j++;
    } else if (
      j < b.length &&
      (i >= a.length || (lcs[i * width + j + 1] ?? 0) >= (lcs[(i + 1) * width + j] ?? 0))
    ) {
      ops.push({ op: "add", line: b[j++] as string });
    } else {
      ops.push({ op: "del", line: a[i++] as string });
    }
  }
  // Deletions before additions within a changed run reads better and matches git.
  return ops;
}

/** The shortest line edit script from `before` to `after` (common prefix and suffix trimmed first). */
export function diffLines(before: readonly string[], after: readonly string[]): DiffOp[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  )
    tail++;
  const middle = alignMiddle(
    before.slice(head, before.length - tail),
    after.slice(head, after.length - tail),
  );
  return [
    ...before.slice(0, head).map((line) => ({ op: "keep" as const, line })),
    ...orderRuns(middle),
    ...before.slice(before.length - tail).map((line) => ({ op: "keep" as const, line })),
  ];
}

function orderRuns(ops: readonly DiffOp[]): DiffOp[] {
  const out: DiffOp[] = [];
  let dels: DiffOp[] = [];
  let adds: DiffOp[] = [];
  const flush = () => {
    out.push(...dels, ...adds);
    dels = [];
    adds = [];
  };
  for (const op of ops) {
    if (op.op === "keep") {
      flush();
      out.push(op);
    } else (op.op === "del" ? dels : adds).push(op);
  }
  flush();
  return out;
}

/** Groups an edit script into hunks with `context` unchanged lines around each change. */
export function hunksOf(ops: readonly DiffOp[], context = 3): Hunk[] {
  const hunks: Hunk[] = [];
  const changed = ops.map((o, i) => (o.op === "keep" ? -1 : i)).filter((i) => i >= 0);
  let k = 0;
  while (k < changed.length) {
    const first = changed[k] as number;
    let last = first;
    while (k + 1 < changed.length && (changed[k + 1] as number) - last <= 2 * context)
      last = changed[++k] as number;
    k++;
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length, last + context + 1);
    const before = ops.slice(0, from);
    const oldBefore = before.filter((o) => o.op !== "add").length;
    const newBefore = before.filter((o) => o.op !== "del").length;
    const slice = ops.slice(from, to);
    const oldLines = slice.filter((o) => o.op !== "add").length;
    const newLines = slice.filter((o) => o.op !== "del").length;
    hunks.push({
      oldStart: oldLines === 0 ? oldBefore : oldBefore + 1,
      oldLines,
      newStart: newLines === 0 ? newBefore : newBefore + 1,
      newLines,
      ops: slice,
    });
  }
  return hunks;
}

// Appended to a last line that has no newline, so it differs from the same line with one.
const EOL_MARK = "\u0000";
const NO_NEWLINE = "\\ No newline at end of file";

function hunkText(
  hunk: Hunk,
  lastOld: number,
  lastNew: number,
  marks: { old: boolean; new: boolean },
): string {
  const lines = [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`];
  let oldAt = hunk.oldStart - (hunk.oldLines === 0 ? 0 : 1);
  let newAt = hunk.newStart - (hunk.newLines === 0 ? 0 : 1);
  for (const o of hunk.ops) {
    if (o.op !== "add") oldAt++;
    if (o.op !== "del") newAt++;
    lines.push(`${o.op === "keep" ? " " : o.op === "del" ? "-" : "+"}${o.line}`);
    const endsOld = o.op !== "add" && oldAt === lastOld && marks.old;
    const endsNew = o.op !== "del" && newAt === lastNew && marks.new;
    if (endsOld || endsNew) lines.push(NO_NEWLINE);
  }
  return lines.join("\n");
}

/**
 * A unified diff (`---`/`+++` headers, hunks with 3 lines of context) from `before` to `after`,
 * or "" when they are equal. Marks a missing final newline the way git does.
 * @example unifiedDiff("a\nb\n", "a\nc\n", "x.sql") // "--- a/x.sql\n+++ b/x.sql\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
 */
export function unifiedDiff(before: string, after: string, path: string, context = 3): string {
  if (before === after) return "";
  const a = splitLines(before);
  const b = splitLines(after);
  const marks = { old: before !== "" && !before.endsWith("\n"), new: after !== "" && !after.endsWith("\n") };
  // A changed final newline alone must still show: compare the last lines with their terminators.
  const aCmp = a.map((l, i) => (i === a.length - 1 && marks.old ? `${l}${EOL_MARK}` : l));
  const bCmp = b.map((l, i) => (i === b.length - 1 && marks.new ? `${l}${EOL_MARK}` : l));
  const ops = diffLines(aCmp, bCmp).map((o) => ({
    op: o.op,
    line: o.line.endsWith(EOL_MARK) ? o.line.slice(0, -1) : o.line,
  }));
  const hunks = hunksOf(ops, context);
  const header = `--- ${before === "" ? "/dev/null" : `a/${path}`}\n+++ ${after === "" ? "/dev/null" : `b/${path}`}`;
  return `${[header, ...hunks.map((h) => hunkText(h, a.length, b.length, marks))].join("\n")}\n`;
}
