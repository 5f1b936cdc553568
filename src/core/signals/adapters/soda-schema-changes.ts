import type { Signal } from "../signal-schema.js";

type SchemaChange = NonNullable<Signal["schemaChange"]>["changes"][number];

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}

function typePairs(value: unknown, from: string, to: string): SchemaChange[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([column, pair]) => {
    if (column === "" || typeof pair !== "object" || pair === null) return [];
    const p = pair as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === "string" && v !== "" ? v.slice(0, 500) : undefined);
    return [
      { kind: "type_changed" as const, column: column.slice(0, 500), from: text(p[from]), to: text(p[to]) },
    ];
  });
}

/**
 * The column changes a Soda schema check reports in its diagnostics: deleted or missing required
 * columns are removals, added or forbidden present columns additions, type changes and mismatches
 * type changes. Index changes have no counterpart and are left to the message.
 */
export function schemaChangesOf(
  diagnostics: Record<string, unknown> | null | undefined,
): Signal["schemaChange"] {
  if (!diagnostics) return undefined;
  const removed = [...names(diagnostics.column_deletions), ...names(diagnostics.missing_column_names)];
  const added = [...names(diagnostics.column_additions), ...names(diagnostics.present_column_names)];
  const changes: SchemaChange[] = [
    ...[...new Set(removed)].map((column) => ({
      kind: "column_removed" as const,
      column: column.slice(0, 500),
    })),
    ...[...new Set(added)].map((column) => ({ kind: "column_added" as const, column: column.slice(0, 500) })),
    ...typePairs(diagnostics.column_type_changes, "previous_type", "new_type"),
    ...typePairs(diagnostics.column_type_mismatches, "expected_type", "actual_type"),
  ];
  return changes.length > 0 ? { changes: changes.slice(0, 500) } : undefined;
}
