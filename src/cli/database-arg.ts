import { isAbsolute, resolve } from "node:path";

/**
 * A `--database` value with a plain relative file path made absolute against the CLI's working
 * directory; URLs (`sqlite:`, `file:`), `:memory:` and absolute paths are left as they are.
 */
export function resolveDatabaseArg(value: unknown, cwd: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const plainPath = !/^[a-z][a-z0-9+.-]+:/i.test(value) && value !== ":memory:" && value.trim() !== "";
  return plainPath && !isAbsolute(value) ? resolve(cwd, value) : value;
}
