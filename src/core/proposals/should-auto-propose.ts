import picomatch from "picomatch";
import type { BackflowConfig } from "../config/schema.js";
import type { Finding } from "../triage/triage-signal.js";

/**
 * Whether triage should open a proposal for a finding without a command: `proposals.mode: auto`
 * and the finding's metric, metric kind or dataset (table id or glob) listed in `proposals.auto`
 * (an empty list means every finding). Only open and update decisions qualify.
 */
export function shouldAutoPropose(config: BackflowConfig, finding: Finding): boolean {
  if (config.proposals.mode !== "auto") return false;
  if (finding.decision !== "open" && finding.decision !== "update") return false;
  if (!finding.breached || !finding.tableId) return false;
  const entries = config.proposals.auto;
  if (entries.length === 0) return true;
  const table = finding.tableId;
  return entries.some((entry) => {
    const wanted = entry.toLowerCase();
    if (wanted === finding.metric.toLowerCase() || wanted === finding.kind) return true;
    return (
      picomatch.isMatch(table, wanted) ||
      (finding.column !== undefined && picomatch.isMatch(`${table}.${finding.column.toLowerCase()}`, wanted))
    );
  });
}
