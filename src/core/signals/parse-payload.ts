import type { z } from "zod";
import { describeZodIssues } from "../config/parse-config.js";
import { SignalError } from "../errors.js";

/** `alerts.3` + `labels.dataset` → `alerts.3.labels.dataset`; either side may be empty. */
export function joinPath(at: string, path: string | undefined): string {
  if (!path) return at;
  return at ? `${at}.${path}` : path;
}

/**
 * Validates a payload against the (loose) schema of its format. On failure throws SignalError whose
 * `path` is the zod path of the first problem (e.g. `alerts.0.labels.dataset`) and whose message
 * lists every problem, so the sender can fix them in one go. `at` prefixes the paths when the value
 * is one item of a larger payload (e.g. `alerts.3`).
 */
export function parsePayload<T extends z.ZodType>(
  schema: T,
  body: unknown,
  format: string,
  at = "",
): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = describeZodIssues(result.error.issues).map((p) => ({ ...p, path: joinPath(at, p.path) }));
  const first = problems[0];
  const listed = problems
    .slice(0, 5)
    .map((p) => `${p.path || "(root)"}: ${p.message}`)
    .join("; ");
  throw new SignalError(
    `This is not a valid ${format} payload (${listed}). Fix the payload, or set the x-backflow-format header if it is another format.`,
    400,
    first?.path ?? at,
  );
}
