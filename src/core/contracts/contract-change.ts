import { z } from "zod";

export const ChangeClassSchema = z
  .enum(["breaking", "non-breaking", "unknown"])
  .describe("unknown: Backflow could not decide; it is treated as breaking until a person acknowledges it.");
export type ChangeClass = z.infer<typeof ChangeClassSchema>;

export const MustActSchema = z
  .enum(["consumers", "producer", "nobody"])
  .describe(
    "Who must act: consumers (something they rely on was weakened, removed or changed shape) or the producer (a new obligation).",
  );
export type MustAct = z.infer<typeof MustActSchema>;

/**
 * Every kind of contract change, its class, and who must act. A contract is the producer's promise to
 * consumers. Consumers must act when something they read or rely on disappears, weakens or changes
 * shape; the producer must act when it takes on a new obligation (a stricter constraint, a stronger SLA).
 * Each rule follows dbt (every data_type change, removed constraints, disabled models, materialization),
 * datacontract-cli's breaking rules (validation constraints) or ODCS, as the README's rule table cites.
 */
export const CHANGE_RULES = {
  dataset_removed: { class: "breaking", mustAct: "consumers" },
  dataset_added: { class: "non-breaking", mustAct: "nobody" },
  column_removed: { class: "breaking", mustAct: "consumers" },
  column_renamed: { class: "breaking", mustAct: "consumers" },
  column_added: { class: "non-breaking", mustAct: "nobody" },
  type_narrowed: { class: "breaking", mustAct: "producer" },
  type_widened: { class: "breaking", mustAct: "consumers" },
  type_changed: { class: "breaking", mustAct: "consumers" },
  required_added: { class: "breaking", mustAct: "producer" },
  required_removed: { class: "breaking", mustAct: "consumers" },
  unique_added: { class: "breaking", mustAct: "producer" },
  unique_removed: { class: "breaking", mustAct: "consumers" },
  pk_added: { class: "breaking", mustAct: "producer" },
  pk_removed: { class: "breaking", mustAct: "consumers" },
  allowed_values_removed: { class: "breaking", mustAct: "producer" },
  allowed_values_added: { class: "unknown", mustAct: "consumers" },
  range_tightened: { class: "breaking", mustAct: "producer" },
  range_loosened: { class: "non-breaking", mustAct: "nobody" },
  length_tightened: { class: "breaking", mustAct: "producer" },
  length_loosened: { class: "non-breaking", mustAct: "nobody" },
  pattern_added: { class: "breaking", mustAct: "producer" },
  pattern_removed: { class: "non-breaking", mustAct: "nobody" },
  pattern_changed: { class: "unknown", mustAct: "consumers" },
  format_added: { class: "breaking", mustAct: "producer" },
  format_removed: { class: "non-breaking", mustAct: "nobody" },
  format_changed: { class: "unknown", mustAct: "consumers" },
  classification_changed: { class: "unknown", mustAct: "consumers" },
  rule_removed: { class: "breaking", mustAct: "consumers" },
  rule_loosened: { class: "breaking", mustAct: "consumers" },
  rule_added: { class: "non-breaking", mustAct: "producer" },
  rule_tightened: { class: "non-breaking", mustAct: "producer" },
  rule_changed: { class: "unknown", mustAct: "consumers" },
  freshness_removed: { class: "breaking", mustAct: "consumers" },
  freshness_loosened: { class: "breaking", mustAct: "consumers" },
  freshness_added: { class: "non-breaking", mustAct: "producer" },
  freshness_tightened: { class: "non-breaking", mustAct: "producer" },
  freshness_changed: { class: "unknown", mustAct: "consumers" },
  sla_removed: { class: "breaking", mustAct: "consumers" },
  sla_weakened: { class: "breaking", mustAct: "consumers" },
  sla_added: { class: "non-breaking", mustAct: "producer" },
  sla_strengthened: { class: "non-breaking", mustAct: "producer" },
  sla_changed: { class: "unknown", mustAct: "consumers" },
  materialization_changed: { class: "breaking", mustAct: "consumers" },
  latest_version_changed: { class: "non-breaking", mustAct: "nobody" },
  status_changed: { class: "non-breaking", mustAct: "nobody" },
  version_changed: { class: "non-breaking", mustAct: "nobody" },
  docs_changed: { class: "non-breaking", mustAct: "nobody" },
  version_not_bumped: { class: "breaking", mustAct: "producer" },
  column_missing_in_sql: { class: "breaking", mustAct: "consumers" },
  type_mismatch_in_sql: { class: "breaking", mustAct: "producer" },
  model_missing: { class: "breaking", mustAct: "consumers" },
} as const satisfies Record<string, { class: ChangeClass; mustAct: MustAct }>;

export type ChangeKind = keyof typeof CHANGE_RULES;
export const ChangeKindSchema = z.enum(Object.keys(CHANGE_RULES) as [ChangeKind, ...ChangeKind[]]);

export const ContractChangeSchema = z.strictObject({
  class: ChangeClassSchema,
  kind: ChangeKindSchema,
  mustAct: MustActSchema,
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

/**
 * Builds a change whose class and who-must-act come from CHANGE_RULES; `override` replaces either
 * (a note that is not breaking, a dbt constraint addition, opted-in widening).
 */
export function makeChange(
  kind: ChangeKind,
  fields: Omit<ContractChange, "class" | "kind" | "mustAct">,
  override?: ChangeClass | { class?: ChangeClass; mustAct?: MustAct },
): ContractChange {
  const rule = CHANGE_RULES[kind];
  const o = typeof override === "string" ? { class: override } : (override ?? {});
  // Callers spread their diff context into `fields`; only the change's own keys are kept.
  const {
    format: _format,
    options: _options,
    ...own
  } = fields as typeof fields & {
    format?: unknown;
    options?: unknown;
  };
  return { class: o.class ?? rule.class, kind, mustAct: o.mustAct ?? rule.mustAct, ...own };
}

/** True for changes that need owner sign-off and a major version bump (breaking, or undecided). */
export function needsSignOff(change: ContractChange): boolean {
  return change.class !== "non-breaking";
}
