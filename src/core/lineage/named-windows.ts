/** Named windows: `WINDOW w AS (PARTITION BY b ORDER BY c)` used as `OVER w` or `OVER (w ORDER BY d)`. */
import { type AstNode, isNode, nodeArray } from "../sql/ast-nodes.js";
import type { Scope } from "./scope.js";

/** The window specifications a SELECT's WINDOW clause names, by lower-case name. */
export function windowsOf(select: AstNode): Map<string, AstNode> {
  const windows = new Map<string, AstNode>();
  const clause = select.window;
  for (const entry of nodeArray(isNode(clause) ? clause.expr : undefined)) {
    const spec = specOf(entry.as_window_specification);
    if (typeof entry.name === "string" && spec) windows.set(entry.name.toLowerCase(), spec);
  }
  return windows;
}

function specOf(value: unknown): AstNode | undefined {
  if (!isNode(value)) return undefined;
  return isNode(value.window_specification) ? value.window_specification : value;
}

/** The name an OVER clause (or a window specification) refers to: `OVER w`, `OVER (w …)`, `AS (w …)`. */
function referencedName(value: unknown): string | undefined {
  if (typeof value === "string") return value.toLowerCase();
  if (!isNode(value)) return undefined;
  if (typeof value.name === "string") return value.name.toLowerCase();
  const inner = value.as_window_specification ?? value.window_specification;
  return inner === undefined ? undefined : referencedName(inner);
}

function lookup(scope: Scope | undefined, name: string): AstNode | undefined {
  for (let s = scope; s; s = s.parent) {
    const found = s.windows.get(name);
    if (found) return found;
  }
  return undefined;
}

/**
 * The named window specifications an OVER clause draws on, following `w2 AS (w1 ORDER BY x)` chains;
 * their PARTITION BY and ORDER BY columns are sources of the window function like inline ones.
 */
export function namedWindowSpecs(over: AstNode, scope: Scope): AstNode[] {
  const specs: AstNode[] = [];
  const seen = new Set<string>();
  let name = referencedName(over);
  while (name !== undefined && !seen.has(name)) {
    seen.add(name);
    const spec = lookup(scope, name);
    if (!spec) break;
    specs.push(spec);
    name = referencedName(spec);
  }
  return specs;
}
