import type { Proposal } from "../proposals/file-edit.js";
import type { Finding } from "../triage/triage-signal.js";
import { codeBlock, codeSpan, escapeMarkdown } from "./escape-markdown.js";

/** The hidden marker that identifies a proposal PR: one per finding and kind. */
export function proposalMarker(fingerprint: string, kind: string): string {
  return `<!-- backflow:proposal ${fingerprint} ${kind} -->`;
}

function evidence(finding: Finding): string {
  const { min, max, relative, zscore } = finding.threshold;
  const limits = [
    min !== undefined ? `min ${min}` : "",
    max !== undefined ? `max ${max}` : "",
    relative !== undefined ? `±${relative * 100}% of baseline` : "",
    zscore !== undefined ? `|z| ≤ ${zscore}` : "",
  ].filter(Boolean);
  const observed = finding.observed === undefined ? "no value" : String(finding.observed);
  return `${codeSpan(finding.metric)} observed **${escapeMarkdown(observed)}** against threshold ${limits.length > 0 ? escapeMarkdown(limits.join(", ")) : "(none)"} (${escapeMarkdown(finding.reason)})`;
}

/**
 * The body of a proposal's draft PR: the finding it answers (linking the drift issue), the evidence,
 * what the edit does and may cost (including downstream consumers), how to verify it (`expects:`),
 * and the hidden marker. Untrusted text (dataset and column names, reasons) is escaped.
 */
export function renderProposal(input: {
  proposal: Proposal;
  finding: Finding;
  issueNumber?: number;
  /** Tables downstream of the edited model, from lineage. */
  consumers?: readonly string[];
}): { title: string; body: string } {
  const { proposal, finding } = input;
  const subject = `${finding.tableId ?? finding.dataset}${finding.column ? `.${finding.column}` : ""}`;
  const consumers = input.consumers ?? [];
  const lines = [
    proposalMarker(finding.fingerprint, proposal.kind),
    `### Backflow proposal: ${escapeMarkdown(proposal.kind)}${proposal.breaking ? " (breaking)" : ""}`,
    "",
    `Answers the finding on ${codeSpan(subject)}${input.issueNumber !== undefined ? ` — drift issue #${input.issueNumber}` : ""} (fingerprint ${codeSpan(finding.fingerprint.slice(0, 8))}).`,
    "",
    `**Evidence:** ${evidence(finding)}`,
    "",
    `**What the edit does:** ${escapeMarkdown(proposal.rationale)}`,
    "",
    `**Files:** ${proposal.edits.map((e) => codeSpan(e.path)).join(", ") || "none"}`,
    "",
    `**What it may cost:** ${escapeMarkdown(proposal.cost)}. Risk: ${proposal.risk}.`,
    consumers.length > 0
      ? `Consumers downstream (from lineage): ${consumers.slice(0, 20).map(codeSpan).join(", ")}${consumers.length > 20 ? `, and ${consumers.length - 20} more` : ""}.`
      : "No downstream consumers in this repository's lineage.",
    "",
  ];
  if (proposal.expects.length > 0) {
    lines.push(
      "**How to verify:** after merging, Backflow watches for",
      "",
      codeBlock(["expects:", ...proposal.expects.map((e) => `  - metric: ${e}`)].join("\n")),
      "",
    );
  }
  lines.push("_This is a draft opened by Backflow. Review the edit; nothing merges without a person._");
  return { title: `Backflow: ${proposal.title}`.slice(0, 256), body: lines.join("\n") };
}
