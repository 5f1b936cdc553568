import type { RepoKey } from "../../core/github/repo-key.js";
import type { Store } from "../../store/store.js";

/** What Backflow remembers of a proposal PR, per repository, finding and kind. */
export type ProposalRecord = {
  readonly kind: string;
  readonly branch: string;
  readonly pr: number;
  readonly issueNumber?: number;
  /** Set once the "finding resolved without this PR" comment was posted. */
  readonly resolvedNoted?: boolean;
  /** Set once the "fix merged" comment was posted on the drift issue. */
  readonly mergedNoted?: boolean;
};

export const PROPOSAL_KINDS = ["cleansing", "contract", "revert"] as const;

function key(fingerprint: string, kind: string): string {
  return `proposal:${fingerprint}:${kind}`;
}

export async function getProposalRecord(
  store: Pick<Store, "repoState">,
  repo: RepoKey,
  fingerprint: string,
  kind: string,
) {
  return store.repoState.get<ProposalRecord>({ repo, key: key(fingerprint, kind) });
}

export async function putProposalRecord(input: {
  store: Pick<Store, "repoState">;
  repo: RepoKey;
  fingerprint: string;
  record: ProposalRecord;
  now: Date;
}): Promise<void> {
  await input.store.repoState.put({
    repo: input.repo,
    key: key(input.fingerprint, input.record.kind),
    value: input.record,
    now: input.now,
  });
}

/** The hidden marker of a proposal PR body: `<!-- backflow:proposal <fingerprint> <kind> -->`. */
export function parseProposalMarker(
  body: string | null | undefined,
): { fingerprint: string; kind: string } | undefined {
  const m = /<!-- backflow:proposal ([0-9a-z]+) (cleansing|contract|revert) -->/.exec(body ?? "");
  return m?.[1] && m[2] ? { fingerprint: m[1], kind: m[2] } : undefined;
}

/** Deterministic branch of a proposal: `backflow/fix/<fp8>` or `backflow/revert/<sha8>`. */
export function proposalBranch(input: { kind: string; fingerprint: string; commitSha?: string }): string {
  return input.kind === "revert" && input.commitSha
    ? `backflow/revert/${input.commitSha.slice(0, 8)}`
    : `backflow/fix/${input.fingerprint.slice(0, 8)}`;
}
