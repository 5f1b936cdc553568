import { SignalError } from "../../core/errors.js";
import type { SignalSource } from "./sources-config.js";

function bodyRepo(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const repo = (body as Record<string, unknown>).repo;
  return typeof repo === "string" ? repo : undefined;
}

/**
 * The repository a delivery is for: `?repo=owner/name`, else the body's top-level `repo`, else the
 * source's only repository. A source can never post to a repository outside its `repos` (403).
 */
export function chooseRepo(input: { source: SignalSource; query: URLSearchParams; body: unknown }): string {
  const { source } = input;
  const asked = input.query.get("repo") ?? bodyRepo(input.body);
  if (asked === undefined || asked === "") {
    const [only, ...others] = source.repos;
    if (only !== undefined && others.length === 0) return only;
    throw new SignalError(
      `source "${source.id}" may post to several repositories; add ?repo=owner/name (one of ${source.repos.join(", ")})`,
      400,
      "repo",
    );
  }
  const repo = asked.trim().toLowerCase();
  if (!source.repos.includes(repo)) {
    throw new SignalError(
      `source "${source.id}" may not post to ${asked}; add it to the source's repos in the sources file, or post to one of ${source.repos.join(", ")}`,
      403,
      "repo",
    );
  }
  return repo;
}
