export type ResolvedTarget = { readonly dataset: string; readonly column?: string };

const names = (target: string, id: string) =>
  id === target || id.endsWith(`.${target}`) || target.endsWith(`.${id}`);

/**
 * Splits `dataset[.column]` as typed in a command. A target naming a known table (exactly or by its
 * last parts) is a table; else, when what precedes the last dot names a table, or nothing is known,
 * the last dotted part is the column.
 * @example resolveTarget("orders.customer_id", ["orders"]) // { dataset: "orders", column: "customer_id" }
 * @example resolveTarget("analytics.orders", ["orders"]) // { dataset: "analytics.orders" }
 */
export function resolveTarget(target: string, tableIds: readonly string[] = []): ResolvedTarget {
  const lower = target.toLowerCase();
  if (tableIds.some((id) => names(lower, id))) return { dataset: target };
  const at = target.lastIndexOf(".");
  if (at <= 0 || at === target.length - 1) return { dataset: target };
  return { dataset: target.slice(0, at), column: target.slice(at + 1) };
}
