import type { GitHubWriter } from "./github-writer.js";

/**
 * Replaces issue `issueNumber`'s body with `body`, unconditionally: for a caller that just read the
 * issue and must change it now (e.g. clearing ticked boxes before acting on them), not a reconcile.
 * `dry-run` when the exact payload was logged instead.
 */
export async function editIssueBody(
  writer: GitHubWriter,
  input: { readonly issueNumber: number; readonly body: string },
): Promise<"updated" | "dry-run"> {
  const payload = { issue_number: input.issueNumber, body: input.body };
  const sent = await writer.send(
    { kind: "issue", verb: `edit the body of issue #${input.issueNumber}`, payload },
    (o, p) => o.rest.issues.update(p),
  );
  const action = sent ? "updated" : "dry-run";
  writer.record("issue", action, { issue: input.issueNumber });
  return action;
}
