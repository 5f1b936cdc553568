import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseConfig } from "../../core/config/parse-config.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { analyzeImpact } from "../../core/impact/analyze-impact.js";
import { ImpactReportSchema } from "../../core/impact/impact-report.js";
import { isRelevantPath } from "../../core/impact/relevant-path.js";
import { renderImpact } from "../../core/render/render-impact.js";
import type { RepoSnapshot } from "../../core/repo-files.js";
import { type CliCommand, EXIT, UsageError } from "../command.js";

const MAX_FILE_BYTES = 2 * 1024 * 1024;

function git(repo: string, args: string[], input?: string): Buffer {
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

/** The relevant files of a commit, read with `git ls-tree -r -z` and `git cat-file --batch`. */
function snapshotAt(repo: string, ref: string): RepoSnapshot {
  const shas = new Map<string, string>();
  for (const entry of git(repo, ["ls-tree", "-r", "-z", "--long", ref]).toString("utf8").split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    const [, type, sha, size] = entry.slice(0, tab).trim().split(/\s+/);
    const path = entry.slice(tab + 1);
    if (type === "blob" && sha && isRelevantPath(path) && Number(size) <= MAX_FILE_BYTES) shas.set(path, sha);
  }
  const blobs = readBlobs(repo, [...new Set(shas.values())]);
  const files = new Map<string, string>();
  for (const [path, sha] of shas) {
    const text = blobs.get(sha);
    if (text !== undefined) files.set(path, text);
  }
  return { files, shas };
}

/** The working tree's relevant files: tracked and untracked, minus ignored ones and deletions. */
function workingTree(repo: string): RepoSnapshot {
  const listed = git(repo, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]).toString("utf8");
  const files = new Map<string, string>();
  for (const path of new Set(listed.split("\0"))) {
    if (!path || !isRelevantPath(path)) continue;
    const full = join(repo, path);
    if (!existsSync(full) || !statSync(full).isFile() || statSync(full).size > MAX_FILE_BYTES) continue;
    files.set(path, readFileSync(full, "utf8"));
  }
  return { files };
}

function option(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export const impactCommand: CliCommand = {
  name: "impact",
  summary: "Show what a change does to downstream models, contracts and owners (exit 1 when breaking)",
  usage: "backflow impact --base <ref> [--head <ref>] [--repo dir] [--format markdown|json]",
  options: {
    repo: { type: "string" },
    base: { type: "string" },
    head: { type: "string" },
    format: { type: "string", default: "markdown" },
  },
  async run({ values, positionals }, io) {
    const base = option(values, "base");
    const format = option(values, "format") ?? "markdown";
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument ${positionals[0]}\nusage: ${this.usage}`);
    if (!base) throw new UsageError(`--base <ref> is required\nusage: ${this.usage}`);
    if (format !== "markdown" && format !== "json") throw new UsageError("--format must be markdown or json");
    const repo = resolve(io.cwd, option(values, "repo") ?? ".");
    const headRef = option(values, "head");
    // The merge base makes the comparison the change's own diff, as a pull request shows it.
    const mergeBase = git(repo, ["merge-base", base, headRef ?? "HEAD"])
      .toString()
      .trim();
    const head = headRef === undefined ? workingTree(repo) : snapshotAt(repo, headRef);
    const config = parseConfig(head.files.get(CONFIG_PATH), CONFIG_PATH);
    const { report, headGraph } = analyzeImpact({ base: snapshotAt(repo, mergeBase), head, config });
    if (format === "json") io.out(`${JSON.stringify(ImpactReportSchema.parse(report), null, 2)}\n`);
    else {
      const rendered = renderImpact(report, { graph: headGraph });
      io.out(`## ${rendered.title}\n\n${rendered.summary}\n`);
    }
    return report.verdict === "breaking" && report.blocking ? EXIT.findings : EXIT.ok;
  },
};
