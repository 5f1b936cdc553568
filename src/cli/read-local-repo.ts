import { closeSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";

/** Folders that hold installed packages, build output or Git internals, never the user's models. */
const SKIP_DIRS = new Set(["node_modules", ".git", "target", "dbt_packages", "dbt_modules"]);
/** The largest file Backflow reads, as the app's tree reader caps blobs. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The files Backflow reads from a pipeline repository: SQL, YAML and CODEOWNERS. */
export function isPipelineFile(name: string): boolean {
  return /\.(sql|ya?ml)$/i.test(name) || name === "CODEOWNERS";
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
}): string | undefined {
  const target = resolveInside(input.realRoot, input.full);
  const read = "skipped" in target ? target : readCapped(target.real);
  if ("text" in read) return read.text;
  input.warn(`skipped ${input.path}: ${read.skipped}`);
  return undefined;
}

/**
 * Reads a local checkout the way the app reads a Git tree: the files Backflow looks at (`accept`,
 * default SQL, YAML and CODEOWNERS) keyed by POSIX path relative to `root`, skipping installed
 * packages. Files over 2 MiB, links that leave the repository and anything but regular files are
 * left out, each with a `warn` line.
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
      const text = readInside({ realRoot, full, path, warn });
      if (text !== undefined) files.set(path, text);
    }
  };
  walk(root);
  return files;
}
