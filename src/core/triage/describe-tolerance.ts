import { codeSpan } from "../render/escape-markdown.js";
import { formatNumber } from "../render/format-number.js";
import type { Bounds, LearnedEntry } from "./learned-tolerance.js";

const pct = (fraction: number) => `${formatNumber(fraction * 100)}%`;

/** Each relaxed limit as a phrase: `completeness below 0.99 down to 0.93`. */
function relaxedRanges(entry: Pick<LearnedEntry, "metric" | "old" | "worst">): string[] {
  const { old, worst } = entry;
  const metric = codeSpan(entry.metric);
  const parts: string[] = [];
  if (old.min !== undefined && worst.min !== undefined)
    parts.push(`${metric} below ${formatNumber(old.min)} down to ${formatNumber(worst.min)}`);
  if (old.max !== undefined && worst.max !== undefined)
    parts.push(`${metric} above ${formatNumber(old.max)} up to ${formatNumber(worst.max)}`);
  if (old.relative !== undefined && worst.relative !== undefined)
    parts.push(`${metric} up to ${pct(worst.relative)} from its baseline (beyond ${pct(old.relative)})`);
  if (old.zscore !== undefined && worst.zscore !== undefined)
    parts.push(`${metric} up to |z| = ${formatNumber(worst.zscore)} (beyond ${formatNumber(old.zscore)})`);
  return parts;
}

/** `minimum 0.927, |z| at most 5.1`: limits as the drift issue's threshold column words them. */
export function describeBounds(bounds: Bounds): string {
  return [
    bounds.min !== undefined ? `minimum ${formatNumber(bounds.min)}` : undefined,
    bounds.max !== undefined ? `maximum ${formatNumber(bounds.max)}` : undefined,
    bounds.relative !== undefined ? `at most ${pct(bounds.relative)} from the baseline` : undefined,
    bounds.zscore !== undefined ? `|z| at most ${formatNumber(bounds.zscore)}` : undefined,
  ]
    .filter((p): p is string => p !== undefined)
    .join(", ");
}

/**
 * The one comment Backflow leaves when it learns from an issue closed as not planned, e.g.
 * "Closed as not planned: `completeness` below 0.99 down to 0.93 is now treated as expected for this
 * finding (limit now minimum 0.927; a worse value still opens an issue). To undo: reopen this issue."
 */
export function renderLearnedComment(entry: LearnedEntry): string {
  const ranges = relaxedRanges(entry);
  return [
    `Closed as not planned: ${ranges.join("; ")} ${ranges.length > 1 ? "are" : "is"} now treated as expected for this finding`,
    ` (limit now ${describeBounds(entry.learned)}; a worse value still opens an issue).`,
    " To undo: reopen this issue.",
  ].join("");
}

/** The comment when closing as not planned taught nothing, saying why. */
export function renderNothingLearnedComment(reason: string): string {
  return `Closed as not planned. Backflow learned no tolerance from it: ${reason}. The limits stay as they are.`;
}

/** The comment when a person reopens an issue Backflow had learned from. */
export function renderUnlearnedComment(entry: LearnedEntry, remaining: readonly LearnedEntry[]): string {
  const ranges = relaxedRanges(entry);
  const others = remaining.filter((e) => e.metric === entry.metric).map((e) => `#${e.issue}`);
  const now =
    others.length > 0
      ? `what ${others.join(", ")} taught still applies`
      : `the limit is back to ${describeBounds(entry.old)}`;
  return `Reopened: Backflow no longer treats ${ranges.join("; ")} as expected for this finding; ${now}.`;
}
