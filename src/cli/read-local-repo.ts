import { closeSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { firstCsvRecord } from "../core/sql/dbt/seed-columns.js";

/** Folders that hold installed packages, build output or Git internals, never the user's models. */
const SKIP_DIRS = new Set(["node_modules", ".git", "target", "dbt_packages", "dbt_modules"]);
/** The largest file Backflow reads, as the app's tree reader caps blobs. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The files Backflow reads from a pipeline repository: SQL, YAML, CODEOWNERS and CSVs (dbt seeds' headers). */
export function isPipelineFile(name: string): boolean {
  return /\.(sql|ya?ml|csv)$/i.test(name) || name === "CODEOWNERS";
}

/** The most of a CSV read for its header: a seed can be megabytes, and only its first record names columns. */
export const CSV_HEADER_BYTES = 64 * 1024;

/**
 * The first record of a CSV file (its header), from at most `CSV_HEADER_BYTES`, or a reason it was not read
 * (a header longer than that: the seed is left out, its columns unknown, rather than given a cut last name).
 */
export function readCsvHead(path: string): { text: string } | { skipped: string } {
  const fd = openSync(path, "r");
  try {
    const chunk = Buffer.allocUnsafe(CSV_HEADER_BYTES);
    const n = readSync(fd, chunk, 0, chunk.length, 0);
    const text = chunk.subarray(0, n).toString("utf8");
    const head = firstCsvRecord(text);
    if (head.length === text.length && n === CSV_HEADER_BYTES)
      return { skipped: `its header is longer than ${CSV_HEADER_BYTES / 1024} KiB` };
    return { text: head };
  } finally {
    closeSync(fd);
  }
}

/** Receives one line per file a reader left out, and why (the CLI prints them as warnings). */
export type SkipWarning = (message: string) => void;

/** Whether `target` (a real path) is `root` or inside it. */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * The text of a regular file read with a size cap, or a reason it was not read. Reads at most
 * `MAX_FILE_BYTES + 1` bytes, so files whose size the file system does not know (`/proc`, FIFOs
 * behind a link) cannot make it read without end.
 */
export function readCapped(path: string): { text: string } | { skipped: string } {
  const tooLarge = { skipped: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` };
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) return tooLarge;
  const fd = openSync(path, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // The first read asks for the whole file and one byte more; the next one finds its end.
      const chunk = Buffer.allocUnsafe(Math.max(size + 1 - total, 64 * 1024));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_FILE_BYTES) return tooLarge;
    }
    return { text: Buffer.concat(chunks, total).toString("utf8") };
  } finally {
    closeSync(fd);
  }
}

/**
 * Where a path in the checkout really leads, when it may be read: its real path when that is a
 * regular file inside `realRoot`; otherwise why it is left out (a link out of the repository, a
 * broken link, a device). Links inside the repository are followed, as Git checks them out.
 */
export function resolveInside(realRoot: string, full: string): { real: string } | { skipped: string } {
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return { skipped: "a broken link" };
  }
  if (!isInside(realRoot, real)) return { skipped: `a link to ${real}, outside the repository` };
  if (!statSync(real).isFile()) return { skipped: "not a regular file" };
  return { real };
}

/**
 * The text of the checkout file `full` (`path` in warnings), or undefined after a `warn` line saying
 * why it was left out: a link out of `realRoot`, not a regular file, or over 2 MiB.
 */
export function readInside(input: {
  realRoot: string;
  full: string;
  path: string;
  warn: SkipWarning;
  /** Read only a CSV's header (`readCsvHead`), whatever its size. */
  csvHead?: boolean;
}): string | undefined {
  const target = resolveInside(input.realRoot, input.full);
  const read =
    "skipped" in target
      ? target
      : input.csvHead && /\.csv$/i.test(input.path)
        ? readCsvHead(target.real)
        : readCapped(target.real);
  if ("text" in read) return read.text;
  input.warn(`skipped ${input.path}: ${read.skipped}`);
  return undefined;
}

/**
 * Reads a local checkout the way the app reads a Git tree: the files Backflow looks at (`accept`,
 * default SQL, YAML and CODEOWNERS) keyed by POSIX path relative to `root`, skipping installed
 * packages. Files over 2 MiB, links that leave the repository and anything but regular files are
 * left out, each with a `warn` line. With the default `accept`, a CSV is read up to the end of its header
 * only (dbt seeds' columns), so megabyte seeds cost nothing.
 */
export function readLocalRepo(
  root: string,
  options: { accept?: (name: string) => boolean; warn?: SkipWarning } = {},
): Map<string, string> {
  const accept = options.accept ?? isPipelineFile;
  const warn = options.warn ?? (() => {});
  const realRoot = realpathSync(root);
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join("/");
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(full);
        continue;
      }
      if (!accept(entry.name) || !(entry.isFile() || entry.isSymbolicLink())) continue;
      // A linked directory named like a model is not walked: it would read the same files twice.
      const text = readInside({ realRoot, full, path, warn, csvHead: options.accept === undefined });
      if (text !== undefined) files.set(path, text);
    }
  };
  walk(root);
  return files;
}
