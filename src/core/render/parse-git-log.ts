import type { SuspectCommit } from "./render-drift-issue.js";

/** The `git log` format `parseGitLog` reads: one line per commit, fields split by the unit separator. */
export const GIT_LOG_FORMAT = "%H%x1f%aI%x1f%an%x1f%s";

/**
 * The commits of `git log --format=<GIT_LOG_FORMAT>` output, newest first, so a local checkout can
 * fill "changed recently" the way the app does with GitHub's commit list.
 *
 * @example parseGitLog("abc…\x1f2026-11-20T10:00:00+01:00\x1fBob\x1fDrop nulls\n")
 */
export function parseGitLog(output: string): SuspectCommit[] {
  return output
    .split("\n")
    .map((line) => line.split("\x1f"))
    .filter((f) => f.length >= 4 && /^[0-9a-f]{7,64}$/.test(f[0] ?? ""))
    .map(([sha = "", date = "", author = "", ...message]) => ({
      sha,
      date: Number.isNaN(Date.parse(date)) ? date : new Date(Date.parse(date)).toISOString(),
      ...(author ? { author } : {}),
      message: message.join("\x1f"),
    }));
}
