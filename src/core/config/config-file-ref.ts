import { z } from "zod";

/** One configuration file on GitHub: a repository (as spelt in `_extends` or by GitHub) and a path in it. */
export const ConfigFileRefSchema = z.strictObject({
  owner: z.string().min(1),
  repo: z.string().min(1),
  path: z.string().min(1),
});
export type ConfigFileRef = z.infer<typeof ConfigFileRefSchema>;

/** The repository that holds an organisation's shared files, as Probot and GitHub name it. */
export const ORG_CONFIG_REPO = ".github";

/** Whether two refs name the same repository (GitHub compares owner and name case-insensitively). */
export function sameRepo(a: Pick<ConfigFileRef, "owner" | "repo">, b: Pick<ConfigFileRef, "owner" | "repo">) {
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase();
}

/** Whether two refs name the same file (paths are case-sensitive in Git). */
export function sameConfigFile(a: ConfigFileRef, b: ConfigFileRef): boolean {
  return sameRepo(a, b) && a.path === b.path;
}

/**
 * How a file is named to a user: `owner/repo:path`, or just the path when it is in `home` (the
 * repository whose configuration is being read), so single-file messages read as before.
 * @example describeConfigFile({ owner: "acme", repo: ".github", path: ".github/backflow.yml" }) // "acme/.github:.github/backflow.yml"
 */
export function describeConfigFile(ref: ConfigFileRef, home?: Pick<ConfigFileRef, "owner" | "repo">): string {
  return home && sameRepo(ref, home) ? ref.path : `${ref.owner}/${ref.repo}:${ref.path}`;
}

/** A stable, case-normalised key of a file, for sets and maps. */
export function configFileKey(ref: ConfigFileRef): string {
  return `${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}:${ref.path}`;
}
