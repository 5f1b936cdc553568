import { createHash } from "node:crypto";
import type { ImpactReport } from "./impact-report.js";

/**
 * A hash of what an acknowledgement signs off on: the verdict, each change (what and how, not on which
 * line) and the contracts reached. A push that only moves lines keeps it; a push that changes the
 * impact gets a new one, which resets the acknowledgement.
 */
export function impactHash(report: ImpactReport): string {
  const canonical = JSON.stringify([
    report.verdict,
    report.changes.map((c) => [c.id, c.kind, c.class, c.before ?? "", c.after ?? ""]).sort(),
    report.contractChanges
      .map((c) => [c.contractId, c.kind, c.class, c.column ?? "", c.before ?? "", c.after ?? ""])
      .sort(),
    report.rowLevel.map((r) => [r.id, r.added, r.removed]).sort(),
    report.contracts.map((c) => c.id).sort(),
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
