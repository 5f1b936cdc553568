import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The bundled example pipeline repository, found relative to this file in both src/ and dist/. */
export function exampleRepoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "examples", "shop");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error("the bundled example repository (examples/shop) is missing from this installation");
}
