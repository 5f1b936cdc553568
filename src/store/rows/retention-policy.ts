/** What retention keeps, the same on both backends (each writes its own DELETEs). */

/** History points kept per finding however old they are: the drift chart and hysteresis read this many. */
export const KEPT_EVALUATIONS_PER_FINDING = 200;

/**
 * Keys of repo_state rows that record one finished piece of work (a comment's commands run, a reply
 * posted, a head SHA's check run and impact, an acknowledgement, a closed issue learned from, an
 * expectations comment, an auto-merge outcome, a settle retry, a canary's comment): pruned once
 * untouched for the retention window. Other keys (config validation, dashboard pin, learned
 * tolerances, proposal records) describe the repository now and are kept.
 */
export const FINISHED_WORK_KEYS = [
  "commands-done:",
  "reply:",
  "check:",
  "impact:",
  "ack:",
  "closed-not-planned:",
  "expectations-comment:",
  "auto-merge:",
  "expectation-retry:",
  "canary-comment:",
] as const;
