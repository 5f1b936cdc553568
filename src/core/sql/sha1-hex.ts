import * as crypto from "node:crypto";

type OneShot = (algorithm: string, data: string) => string;

// `crypto.hash` (Node ≥ 20.12) is several times faster than createHash for small inputs, which matters
// when every file of a large repository is keyed on each rebuild; older Node falls back to createHash.
const oneShot = (crypto as { hash?: OneShot }).hash;

/** Hex SHA-1 of a string (UTF-8), for cache keys. */
export function sha1Hex(text: string): string {
  return oneShot ? oneShot("sha1", text) : crypto.createHash("sha1").update(text).digest("hex");
}
