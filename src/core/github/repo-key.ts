import { z } from "zod";

declare const repoKeyBrand: unique symbol;

/**
 * A repository as Backflow keys it: `owner/name` lower-cased. GitHub treats owner and repository
 * names case-insensitively, so `Acme/Shop` and `acme/shop` are one repository and must reach the
 * same finding, proposal record, lease and job. Made once, where a name comes in, by `repoKeyOf`.
 */
export type RepoKey = string & { readonly [repoKeyBrand]: "RepoKey" };

const FULL_NAME = /^[^/\s]+\/[^/\s]+$/;

/**
 * The key of a repository named `owner/name` (or owner and name apart), in any case.
 * @example repoKeyOf("Acme/Shop") === repoKeyOf("acme", "SHOP") // "acme/shop"
 */
export function repoKeyOf(ownerOrFullName: string, name?: string): RepoKey {
  const full = name === undefined ? ownerOrFullName : `${ownerOrFullName}/${name}`;
  if (!FULL_NAME.test(full)) throw new TypeError(`"${full}" is not a repository name of the form owner/name`);
  return full.toLowerCase() as RepoKey;
}

/** A repository name as GitHub spells it (`owner/name`), as job payloads and configs carry it. */
export const RepoFullNameSchema = z.string().regex(FULL_NAME, "owner/name");

/** A repository name in any case, parsed into its key. */
export const RepoKeySchema = RepoFullNameSchema.transform((full) => repoKeyOf(full));
