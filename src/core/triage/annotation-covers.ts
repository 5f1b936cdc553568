import picomatch from "picomatch";
import type { Annotation } from "./annotations.js";

/**
 * Whether a new annotation concerns an open finding: its dataset pattern covers the finding's table
 * (the rule triage applies) and its window has not ended before the finding opened. Such a finding's
 * drift issue is told about the annotation.
 */
export function annotationConcerns(
  annotation: Pick<Annotation, "dataset" | "to">,
  finding: { readonly tableId?: string | undefined; readonly openedAt: string | null },
): boolean {
  if (!finding.tableId) return false;
  if (!picomatch.isMatch(finding.tableId, annotation.dataset, { nocase: true, dot: true })) return false;
  return !annotation.to || !finding.openedAt || Date.parse(annotation.to) >= Date.parse(finding.openedAt);
}
