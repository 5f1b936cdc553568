/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function requestStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  return typeof error.status === "number" ? error.status : undefined;
}

/** True when GitHub answered 404 (the file, ref or repository does not exist or is not visible). */
export function isNotFound(error: unknown): boolean {
  return requestStatus(error) === 404;
}
