import type { Finding } from "../triage/triage-signal.js";

/**
 * The `expects:` line a merged proposal is checked against: the finding's metric back within its
 * threshold within `within` (e.g. "completeness(fct_orders.customer_id) >= 0.99 within 3d").
 */
export function expectationOf(finding: Finding, within = "3d"): string {
  const subject = `${finding.tableId ?? finding.dataset}${finding.column ? `.${finding.column}` : ""}`;
  const metric = `${finding.metric}(${subject})`;
  const { min, max } = finding.threshold;
  if (min !== undefined && max !== undefined) return `${metric} between ${min} and ${max} within ${within}`;
  if (min !== undefined) return `${metric} >= ${min} within ${within}`;
  if (max !== undefined) return `${metric} <= ${max} within ${within}`;
  return `${metric} not breached within ${within}`;
}
