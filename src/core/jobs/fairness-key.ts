/**
 * The fairness group of a job payload: the owner of `payload.repo`, lower-cased (a GitHub App
 * installation is one account, and GitHub names are case-insensitive), or `kind:<kind>` when the
 * payload names no repository. The worker keeps one group from taking every slot.
 * @example fairnessKeyOf("open-proposal", { repo: "Acme/Shop" }) // "acme"
 */
export function fairnessKeyOf(kind: string, payload: unknown): string {
  if (typeof payload === "object" && payload !== null && "repo" in payload) {
    const repo = payload.repo;
    if (typeof repo === "string" && repo.indexOf("/") > 0)
      return repo.slice(0, repo.indexOf("/")).toLowerCase();
  }
  return `kind:${kind}`;
}
