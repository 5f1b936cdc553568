import type { RepoTarget } from "../app-deps.js";
import { isNotFound } from "../request-errors.js";
import { ackKey, impactKey, runImpactCheck, type StoredImpact } from "./run-impact-check.js";

type AckInput = RepoTarget & {
  readonly headSha: string;
  readonly login: string;
};

/** Why a user may acknowledge, or null: owner by name, member of an owner team, or admin/maintain. */
export async function acknowledgeRight(
  input: Pick<AckInput, "octokit" | "owner" | "repo" | "login">,
  owners: readonly string[],
): Promise<string | null> {
  const { octokit, owner, repo, login } = input;
  const me = `@${login}`.toLowerCase();
  if (owners.some((o) => o.toLowerCase() === me)) return `owner ${me}`;
  for (const team of owners.filter((o) => o.startsWith("@") && o.includes("/"))) {
    const [org, slug] = team.slice(1).split("/");
    if (!org || !slug) continue;
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: slug,
        username: login,
      });
      if (data.state === "active") return `member of ${team}`;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
  if (data.permission === "admin" || data.role_name === "maintain")
    return `${data.role_name ?? data.permission} permission`;
  return null;
}

/**
 * Handles "Acknowledge breaking" on an impact check run: only an owner of an affected contract (or
 * a member of an owning team, or a maintainer/admin) is accepted. The acknowledgement is recorded in
 * the audit log and keyed by pull request + impact hash, then the run is recomputed and passes.
 * A refusal changes nothing on GitHub; it is logged.
 */
export async function acknowledgeImpact(input: AckInput): Promise<"accepted" | "refused" | "unknown"> {
  const { deps, log, owner, repo, headSha, login } = input;
  const repoName = input.repoKey;
  const impact = await deps.store.repoState.get<StoredImpact>({ repo: repoName, key: impactKey(headSha) });
  if (impact?.verdict !== "breaking") {
    log.info(
      { repo: repoName, headSha, login },
      "ignoring acknowledgement: no breaking impact recorded for this commit",
    );
    return "unknown";
  }
  const right = await acknowledgeRight(input, impact.owners);
  if (!right) {
    log.info(
      { repo: repoName, pr: impact.pr, headSha, login },
      "refused acknowledgement: not an owner of an affected contract",
    );
    return "refused";
  }
  const at = deps.clock();
  const ack = { by: `@${login}`, at: at.toISOString() };
  await deps.store.repoState.put({
    repo: repoName,
    key: ackKey(impact.pr, impact.hash),
    value: ack,
    now: at,
  });
  await deps.store.audit.record({
    at,
    actor: login,
    action: "impact.acknowledge",
    repo: repoName,
    target: `pull/${impact.pr}`,
    detail: { pr: impact.pr, headSha, impactHash: impact.hash, right },
  });
  log.info(
    { repo: repoName, pr: impact.pr, headSha, login, right },
    "accepted acknowledgement of a breaking change",
  );
  // No prBody: the re-run validates the `expects:` block stored for this SHA (see StoredImpact.prBody).
  await runImpactCheck({ ...input, pr: impact.pr, baseSha: impact.baseSha });
  return "accepted";
}
