import type { Contract } from "./contract.js";
import type { ContractChange } from "./contract-change.js";

/** Repository-level choices and evidence a contract diff takes into account. */
export type DiffOptions = {
  /** `contracts.widening: non-breaking`: a widening type change (int → bigint) is not breaking. */
  readonly wideningNonBreaking?: boolean;
  /**
   * Column renames the SQL shows (the same expression, now aliased differently), by lineage table id:
   * old column name (lower-case) → new name. Only with this evidence, or the contract's own
   * `renamedFrom`, is a removed + added pair reported as a rename.
   */
  readonly sqlRenames?: ReadonlyMap<string, ReadonlyMap<string, string>>;
};

/** Where a change is reported: the contract and dataset it belongs to, and the file to annotate. */
export type DiffContext = {
  readonly contractId: string;
  readonly file: string;
  readonly dataset: string;
  readonly format?: Contract["format"];
  readonly options?: DiffOptions;
};

export type ChangeFields = Omit<ContractChange, "class" | "kind" | "mustAct">;

/** Collapses whitespace so re-wrapped descriptions compare equal. */
export function normalizeText(text: string | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").trim();
}

/** JSON with sorted keys, so key order in YAML never shows up as a change. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
