/** Base names that say what a file is, not which table it builds (bigquery-etl's `<table>/query.sql`). */
const GENERIC_BASE_NAMES = new Set(["query", "view", "init", "script", "model", "main"]);

/**
 * The table a bare SELECT in a plain SQL file produces. It is the file's base name, lower-case
 * (`models/daily_orders.sql` → `daily_orders`), unless that name is generic (`query`, `view`, `init`,
 * `script`, `model`, `main`): then it is the up to three parent folders, dot-joined
 * (`sql/proj/dataset/table/query.sql` → `proj.dataset.table`), so the folder layout
 * `project/dataset/table/query.sql` gives the table's full id. Files that still produce the same table
 * are merged, with a warning naming both.
 */
export function plainModelName(path: string): string {
  const parts = path.toLowerCase().split("/");
  const base = (parts.pop() ?? "").replace(/\.sql$/, "");
  if (!GENERIC_BASE_NAMES.has(base)) return base;
  const folders = parts.filter((p) => p.length > 0 && p !== "." && p !== "..").slice(-3);
  return folders.length > 0 ? folders.join(".") : base;
}
