import type { AttributedPullRequest } from "../triage/attribution.js";
import { codeSpan } from "./escape-markdown.js";
import { andMore } from "./fit-to-limit.js";
import { formatUtcMinute } from "./format-number.js";
import { renderTable } from "./markdown-table.js";

const MAX_ROWS = 8;

function why(p: AttributedPullRequest): string {
  const parts: string[] = [];
  // The canary's evidence is Backflow's own markdown (code spans of names it escaped).
  if (p.canary)
    parts.push(`**canary:** ${p.canary}; \`/backflow rollback\` here (or on #${p.pr}) opens its revert`);
  if (p.files.length > 0)
    parts.push(`touched ${p.files.slice(0, 3).map(codeSpan).join(", ")}${p.files.length > 3 ? " …" : ""}`);
  parts.push(p.depth === 0 ? "the drifting model itself" : `${p.depth} hop(s) upstream`);
  if (p.acknowledgedBreaking) parts.push("⚠️ acknowledged as a breaking change");
  return parts.join(" · ");
}

/**
 * The drift issue's "Suspect pull requests" section: merged pull requests that touched an upstream
 * file of the drifting column before the first breach, the one a post-merge canary caught first,
 * each with merge time, author and why it is suspected. Empty when there are none.
 */
export function renderSuspectPulls(pulls: readonly AttributedPullRequest[] | undefined): string {
  if (!pulls || pulls.length === 0) return "";
  const shown = pulls.slice(0, MAX_ROWS);
  const table = renderTable(
    ["pull request", "merged", "author", "hours before the breach", "why"],
    shown.map((p) => [
      { md: `#${p.pr}` },
      { md: formatUtcMinute(p.mergedAt) },
      p.author ? { md: codeSpan(p.author) } : "–",
      p.hoursBeforeBreach,
      { md: why(p) },
    ]),
  );
  const more =
    pulls.length > shown.length ? `\n\n${andMore(pulls.length - shown.length, "pull request")}` : "";
  return `#### Suspect pull requests\n\n${table}${more}`;
}
