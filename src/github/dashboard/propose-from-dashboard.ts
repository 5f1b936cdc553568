import { canRunCommand } from "../../core/commands/can-run-command.js";
import type { RepoTarget } from "../app-deps.js";
import { fetchPermission } from "../commands/fetch-permission.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { enqueueOpenProposal } from "../proposals/open-proposal-job.js";
import { postComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";

/**
 * The dashboard's "Propose a fix" box: the same as `/backflow propose` on the finding's drift issue,
 * with the same permission rule (ticking a box must not bypass `commands.permission`). Returns what
 * happened, for the audit log; a refusal is also said on the dashboard, the only place the person looks.
 */
export async function proposeFromDashboard(
  input: RepoTarget & { actor: string; fingerprint: string; dashboardIssue: number },
): Promise<string> {
  const { octokit, deps, owner, repo, actor } = input;
  const repoKey = `${owner}/${repo}`.toLowerCase();
  const record = await deps.store.findings.get({ repo: repoKey, fingerprint: input.fingerprint });
  if (record?.state !== "open" || record.issueNumber === null) return "no open finding with an issue";
  const loaded = await loadRepoConfig({ octokit, owner, repo });
  if (!loaded.ok) return "config invalid";
  const held = await fetchPermission({ octokit, owner, repo, username: actor });
  const permission = canRunCommand({ command: "propose", held, config: loaded.config });
  if (!permission.allowed) {
    await postComment(writerFor(input), {
      issueNumber: input.dashboardIssue,
      body: `@${actor} proposing a fix needs ${permission.needs} access to this repository (\`commands.permission\`); nothing was proposed for #${record.issueNumber}.`,
    });
    return `refused: needs ${permission.needs}`;
  }
  const payload = {
    repo: `${owner}/${repo}`,
    fingerprint: record.fingerprint,
    kind: "cleansing" as const,
    issueNumber: record.issueNumber,
  };
  const created = await enqueueOpenProposal({ store: deps.store, payload, now: deps.clock() });
  return created ? `proposal queued for #${record.issueNumber}` : "proposal already queued";
}
