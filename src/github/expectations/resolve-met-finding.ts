import { codeSpan } from "../../core/render/escape-markdown.js";
import type { ExpectationRecord } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { closeIssue } from "../writers/ensure-issue.js";
import { writerFor } from "../writers/github-writer.js";

/**
 * A met expectation resolves the finding it reads: when that finding is still open (triage's own
 * recovery rule has not closed it, e.g. the metric is back but within the hysteresis band), it is
 * marked resolved and its drift issue closed with a comment naming the pull request that fixed it.
 * The finding is stored resolved after the issue is closed, so a retried run finishes a failed close.
 * Returns the issue closed, if any.
 */
export async function resolveMetFinding(
  input: RepoTarget & { record: ExpectationRecord; metAt: string | undefined },
): Promise<number | undefined> {
  const { deps, repoKey, record } = input;
  const finding = await deps.store.findings.get({ repo: repoKey, fingerprint: record.fingerprint });
  if (finding?.state !== "open") return undefined;
  const now = deps.clock();
  // open → resolved by compare-and-set: whatever triage wrote meanwhile is kept.
  const resolve = () =>
    deps.store.findings.transition({
      repo: repoKey,
      fingerprint: record.fingerprint,
      from: "open",
      to: "resolved",
      now,
    });
  if (!finding.issueNumber) {
    await resolve();
    return undefined;
  }
  const when = input.metAt ? ` at ${input.metAt}` : "";
  const comment = `✅ Resolved: #${record.pr} said ${codeSpan(record.spec.text)}, and it held${when}. If the metric breaches again, Backflow reopens this.`;
  const closed = await closeIssue(writerFor(input), { issueNumber: finding.issueNumber, comment });
  // Resolved only once the issue is closed: a failed write leaves it open for the retry to finish.
  await resolve();
  if (closed === "dry-run") return undefined;
  input.log.info(
    { repo: repoKey, issue: finding.issueNumber, pr: record.pr },
    "met expectation resolved finding",
  );
  return finding.issueNumber;
}
