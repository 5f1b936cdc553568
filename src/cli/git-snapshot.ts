import { execFileSync } from "node:child_process";
import { lstatSync, realpathSync } from "node:fs";
import { join, posix } from "node:path";
import { isRelevantPath } from "../core/impact/relevant-path.js";
import type { RepoSnapshot } from "../core/repo-files.js";
import { UsageError } from "./command.js";
import { MAX_FILE_BYTES, readInside, type SkipWarning } from "./read-local-repo.js";

/** Runs git in `repo`; a failure becomes a UsageError with git's own message. */
export function git(repo: string, args: readonly string[], input?: string): Buffer {
  try {
    return execFileSync("git", ["-C", repo, ...args], {
      maxBuffer: 1024 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
      ...(input === undefined ? {} : { input }),
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new UsageError(`git ${args[0]} failed in ${repo}: ${stderr || (error as Error).message}`);
  }
}

/** Whether `rev` names a commit present in the repository (false in a clone too shallow to hold it). */
export function hasCommit(repo: string, rev: string): boolean {
  try {
    execFileSync("git", ["-C", repo, "cat-file", "-e", `${rev}^{commit}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Whether the path exists, as a file, directory or link (broken or not): a deleted file does not. */
function existsOrLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The top of the work tree holding `dir` and `dir`'s path inside it ("" at the top). */
export function locateInRepo(dir: string): { top: string; prefix: string } {
  const [top = dir, prefix = ""] = git(dir, ["rev-parse", "--show-toplevel", "--show-prefix"])
    .toString("utf8")
    .split("\n");
  return { top, prefix };
}

/** Reads many blobs in one `git cat-file --batch` call: `<sha> <type> <size>\n<content>\n` each. */
function readBlobs(repo: string, shas: readonly string[]): Map<string, string> {
  const texts = new Map<string, string>();
  if (shas.length === 0) return texts;
  const out = git(repo, ["cat-file", "--batch"], `${shas.join("\n")}\n`);
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(10, at);
    const [sha, type, size] = out.subarray(at, eol).toString().split(" ");
    if (type === "missing" || sha === undefined) {
      at = eol + 1;
      continue;
    }
    const length = Number(size);
    texts.set(sha, out.subarray(eol + 1, eol + 1 + length).toString("utf8"));
    at = eol + 1 + length + 1;
  }
  return texts;
}

/** `prefix` as Git writes paths under it: POSIX, no leading `./`, a trailing slash; "" for the root. */
export function treePrefix(prefix: string): string {
  const clean = posix.normalize(prefix.split("\\").join("/")).replace(/^\.\/?|\/$/g, "");
  return clean === "" || clean === "." ? "" : `${clean}/`;
}

type TreeEntry = { mode: string; type: string; sha: string; size: string };

/**
 * The relevant files of a commit, read with `git ls-tree -r -z` and `git cat-file --batch`, keyed by
 * path relative to `prefix` (a pipeline repository in a subdirectory). A committed symbolic link is
 * read as the file it points to when that file is in the same tree; a link that leaves it is skipped
 * with a `warn` line, as is a file over 2 MiB.
 */
export function snapshotAt(
  repo: string,
  ref: string,
  options: { prefix?: string; warn?: SkipWarning } = {},
): RepoSnapshot {
  const prefix = treePrefix(options.prefix ?? "");
  const warn = options.warn ?? (() => {});
  const args = ["ls-tree", "-r", "-z", "--long", ref, ...(prefix ? ["--", prefix] : [])];
  const entries = new Map<string, TreeEntry>();
  for (const entry of git(repo, args).toString("utf8").split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    const [mode = "", type = "", sha = "", size = ""] = entry.slice(0, tab).trim().split(/\s+/);
    const path = entry.slice(tab + 1);
    if (type === "blob" && path.startsWith(prefix))
      entries.set(path.slice(prefix.length), { mode, type, sha, size });
  }
  const links = [...entries].filter(([path, e]) => e.mode === "120000" && isRelevantPath(path));
  const linkTargets = readBlobs(
    repo,
    links.map(([, e]) => e.sha),
  );
  const shas = new Map<string, string>();
  for (const [path, entry] of entries) {
    if (!isRelevantPath(path)) continue;
    let target: TreeEntry | undefined = entry;
    if (entry.mode === "120000") {
      const to = posix.normalize(posix.join(posix.dirname(path), linkTargets.get(entry.sha) ?? ""));
      target = to.startsWith("../") || posix.isAbsolute(to) ? undefined : entries.get(to);
      if (target === undefined || target.mode === "120000") {
        warn(`skipped ${path}: a link to ${linkTargets.get(entry.sha) ?? "?"}, outside the repository`);
        continue;
      }
    }
    if (Number(target.size) > MAX_FILE_BYTES) warn(`skipped ${path}: larger than 2 MiB`);
    else shas.set(path, target.sha);
  }
  const blobs = readBlobs(repo, [...new Set(shas.values())]);
  const files = new Map<string, string>();
  for (const [path, sha] of shas) {
    const text = blobs.get(sha);
    if (text !== undefined) files.set(path, text);
  }
  return { files, shas };
}

/**
 * The working tree's relevant files under `prefix`: tracked and untracked, minus ignored ones and
 * deletions. Links that leave the directory, anything but regular files and files over 2 MiB are
 * skipped with a `warn` line; the parser never sees `/etc/passwd` through `models/x.sql`.
 */
export function workingTree(
  repo: string,
  options: { prefix?: string; warn?: SkipWarning } = {},
): RepoSnapshot {
  const prefix = treePrefix(options.prefix ?? "");
  const warn = options.warn ?? (() => {});
  const root = join(repo, prefix);
  const realRoot = realpathSync(root);
  const listed = git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]).toString("utf8");
  const files = new Map<string, string>();
  for (const path of new Set(listed.split("\0"))) {
    if (!path || !isRelevantPath(path) || !existsOrLink(join(root, path))) continue;
    const text = readInside({ realRoot, full: join(root, path), path, warn });
    if (text !== undefined) files.set(path, text);
  }
  return { files };
}
