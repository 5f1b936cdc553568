import { applyHunks, parsePatch } from "./apply-hunks.js";

export type RevertResult =
  | { readonly ok: true; readonly after: string; readonly hunks: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Undoes one commit's change to a file: reverse-applies the commit's patch (GitHub's `files[].patch`)
 * to the file's current content. Hunks may have moved (other commits added lines above them); a hunk
 * whose lines were edited since is refused, with the reason, rather than guessed.
 * @example revertPatch({ path, patch: file.patch, current }) // { ok: true, after, hunks: 2 }
 */
export function revertPatch(input: { path: string; patch: string; current: string }): RevertResult {
  const hunks = parsePatch(input.patch);
  if (hunks.length === 0)
    return {
      ok: false,
      reason: `${input.path}: the commit's patch has no hunks (binary or too large for GitHub to show)`,
    };
  const applied = applyHunks(input.current, hunks, { reverse: true });
  if (!applied.ok) return { ok: false, reason: `${input.path}: ${applied.reason}; revert it by hand` };
  return { ok: true, after: applied.text, hunks: hunks.length };
}
