/** A revert pull request as `GET /pulls/{n}` shows it: open, clean, its head the commit Backflow wrote. */
export function revertPull(input: {
  number: number;
  headSha: string;
  baseSha: string;
  overrides?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    number: input.number,
    state: "open",
    merged: false,
    mergeable: true,
    mergeable_state: "clean",
    head: { sha: input.headSha, ref: "backflow/revert/b2b2b2b2" },
    base: { sha: input.baseSha, ref: "main" },
    ...input.overrides,
  };
}
