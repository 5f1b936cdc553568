import { createHash } from "node:crypto";
import { canonicalMetric } from "../signals/metric-polarity.js";

export type FingerprintInput = {
  readonly repo: string;
  /** The lineage table id when the dataset matched one, else the dataset name as sent. */
  readonly dataset: string;
  readonly column?: string;
  /** The metric family (`completeness`, `volume`, …) or, for custom metrics, the metric name. */
  readonly metric: string;
};

// Case and punctuation differences ("nullRate" vs "null_rate", "Orders" vs "orders") name the same thing.
const canonical = (text: string) => text.trim().toLowerCase();

/**
 * The identity of a finding: sha256 hex of repository, dataset, column and metric. One fingerprint,
 * one open issue.
 *
 * @example fingerprintOf({ repo: "acme/shop", dataset: "orders", column: "customer_id", metric: "completeness" })
 */
export function fingerprintOf(input: FingerprintInput): string {
  const parts = [
    canonical(input.repo),
    canonical(input.dataset),
    canonical(input.column ?? ""),
    canonicalMetric(input.metric),
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
