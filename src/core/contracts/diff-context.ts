import type { ContractChange } from "./contract-change.js";

/** Where a change is reported: the contract and dataset it belongs to, and the file to annotate. */
export type DiffContext = { readonly contractId: string; readonly file: string; readonly dataset: string };

export type ChangeFields = Omit<ContractChange, "class" | "kind" | "affects">;

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
