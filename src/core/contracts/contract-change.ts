import { z } from "zod";

export const ChangeClassSchema = z
  .enum(["breaking", "non-breaking", "unknown"])
  .describe("unknown: Backflow could not decide; it is treated as breaking until a person acknowledges it.");
export type ChangeClass = z.infer<typeof ChangeClassSchema>;

/**
 * Every kind of contract change, its class, and who it can break. The rule behind the table:
 * a contract is the producer's promise to consumers. A change is breaking when a party that complied
 * before can be wrong afterwards without touching their own code — consumers when something they read
 * or rely on disappears or weakens, the producer when a write-time constraint tightens.
 */
export const CHANGE_RULES = {
  dataset_removed: { class: "breaking", affects: "consumers" },
  dataset_added: { class: "non-breaking", affects: "nobody" },
  column_removed: { class: "breaking", affects: "consumers" },
  column_renamed: { class: "breaking", affects: "consumers" },
  column_added: { class: "non-breaking", affects: "nobody" },
  type_narrowed: { class: "breaking", affects: "producer" },
  type_widened: { class: "non-breaking", affects: "nobody" },
  type_changed: { class: "unknown", affects: "consumers" },
  required_added: { class: "breaking", affects: "producer" },
  required_removed: { class: "breaking", affects: "consumers" },
  unique_added: { class: "breaking", affects: "producer" },
  unique_removed: { class: "breaking", affects: "consumers" },
  pk_changed: { class: "breaking", affects: "consumers" },
  allowed_values_removed: { class: "breaking", affects: "producer" },
  allowed_values_added: { class: "unknown", affects: "consumers" },
  range_tightened: { class: "breaking", affects: "producer" },
  range_loosened: { class: "unknown", affects: "consumers" },
  pattern_changed: { class: "unknown", affects: "consumers" },
  classification_changed: { class: "unknown", affects: "consumers" },
  rule_removed: { class: "breaking", affects: "consumers" },
  rule_loosened: { class: "breaking", affects: "consumers" },
  rule_added: { class: "non-breaking", affects: "nobody" },
  rule_tightened: { class: "non-breaking", affects: "nobody" },
  rule_changed: { class: "unknown", affects: "consumers" },
  freshness_removed: { class: "breaking", affects: "consumers" },
  freshness_loosened: { class: "breaking", affects: "consumers" },
  freshness_added: { class: "non-breaking", affects: "nobody" },
  freshness_tightened: { class: "non-breaking", affects: "nobody" },
  freshness_changed: { class: "unknown", affects: "consumers" },
  status_changed: { class: "non-breaking", affects: "nobody" },
  version_changed: { class: "non-breaking", affects: "nobody" },
  docs_changed: { class: "non-breaking", affects: "nobody" },
  version_not_bumped: { class: "breaking", affects: "consumers" },
  column_missing_in_sql: { class: "breaking", affects: "consumers" },
  type_mismatch_in_sql: { class: "breaking", affects: "consumers" },
  model_missing: { class: "breaking", affects: "consumers" },
} as const satisfies Record<string, { class: ChangeClass; affects: "consumers" | "producer" | "nobody" }>;

export type ChangeKind = keyof typeof CHANGE_RULES;
export const ChangeKindSchema = z.enum(Object.keys(CHANGE_RULES) as [ChangeKind, ...ChangeKind[]]);

export const ContractChangeSchema = z.strictObject({
  class: ChangeClassSchema,
  kind: ChangeKindSchema,
  affects: z.enum(["consumers", "producer", "nobody"]),
  contractId: z.string(),
  file: z
    .string()
    .describe("The file to annotate: the head contract, the base one when it was deleted, or the model."),
  dataset: z.string().describe("Lineage table id of the dataset."),
  column: z.string().optional(),
  before: z.string().optional(),
  after: z.string().optional(),
  message: z.string(),
  line: z.number().int().min(1).optional(),
});
export type ContractChange = z.infer<typeof ContractChangeSchema>;

/** Builds a change whose class and affected party come from CHANGE_RULES (`cls` overrides, for notes). */
export function makeChange(
  kind: ChangeKind,
  fields: Omit<ContractChange, "class" | "kind" | "affects">,
  cls?: ChangeClass,
): ContractChange {
  const rule = CHANGE_RULES[kind];
  return { class: cls ?? rule.class, kind, affects: rule.affects, ...fields };
}

/** True for changes that need owner sign-off and a major version bump (breaking, or undecided). */
export function needsSignOff(change: ContractChange): boolean {
  return change.class !== "non-breaking";
}
