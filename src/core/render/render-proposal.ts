import type { Proposal } from "../proposals/file-edit.js";
import type { Finding } from "../triage/triage-signal.js";
import { codeBlock, codeSpan, escapeMarkdown, plainLine } from "./escape-markdown.js";
import { plural } from "./fit-to-limit.js";
import { formatNumber } from "./format-number.js";

/** The hidden marker that identifies a proposal PR: one per finding and kind. */
export function proposalMarker(fingerprint: string, kind: string): string {
  return `<!-- backflow:proposal ${fingerprint} ${kind} -->`;
}

function evidence(finding: Finding): string {
  // A check or schema finding has no number: its reason is the evidence, with no empty threshold.
  if (finding.observed === undefined) return escapeMarkdown(finding.reason);
  const { min, max } = finding.threshold;
  const limits = [
    min !== undefined ? `min ${formatNumber(min)}` : "",
    max !== undefined ? `max ${formatNumber(max)}` : "",
  ].filter(Boolean);
  const against = limits.length > 0 ? ` against threshold ${escapeMarkdown(limits.join(", "))}` : "";
  return `${codeSpan(finding.metric)} observed **${escapeMarkdown(formatNumber(finding.observed))}**${against} (${escapeMarkdown(finding.reason)})`;
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
    `**${proposal.edits.length === 0 ? "Why" : "What the edit does"}:** ${escapeMarkdown(proposal.rationale)}`,
    "",
  ];
  if (proposal.edits.length === 0) {
    // Nothing to change: say so, without an empty file list or a risk for an edit that does not exist.
    lines.push("**Nothing to change:** no file needs an edit for this finding.", "");
  } else {
    lines.push(
      `**${proposal.edits.length === 1 ? "File" : plural(proposal.edits.length, "file")}:** ${proposal.edits.map((e) => codeSpan(e.path)).join(", ")}`,
      "",
      `**What it may cost:** ${escapeMarkdown(proposal.cost)}. Risk: ${proposal.risk}.`,
      consumers.length > 0
        ? `Consumers downstream (from lineage): ${consumers
            .slice(0, 20)
            .map((c) => codeSpan(c))
            .join(", ")}${consumers.length > 20 ? ` …and ${consumers.length - 20} more` : ""}.`
        : "No downstream consumers in this repository's lineage.",
      "",
    );
  }
  if (proposal.expects.length > 0) {
    lines.push(
      "**How to verify:** after merging, Backflow watches for",
      "",
      codeBlock(["expects:", ...proposal.expects.map((e) => `  - metric: ${e}`)].join("\n")),
      "",
    );
  }
  lines.push("_This is a draft opened by Backflow. Review the edit; nothing merges without a person._");
  return { title: plainLine(`Backflow: ${proposal.title}`).slice(0, 256), body: lines.join("\n") };
}
