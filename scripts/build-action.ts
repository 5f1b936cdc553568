/**
 * Bundles the GitHub Action (src/action/main.ts) into dist-action/index.js, which action.yml runs: a
 * JavaScript action runs without `npm install`, so everything it needs is in that one committed file.
 * `tsx scripts/build-action.ts` writes it; `--check` exits 1 when the committed bundle is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const BUNDLE_PATH = fileURLToPath(new URL("../dist-action/index.js", import.meta.url));

/** The bundle's text: deterministic for a given source tree and esbuild version (no timestamps, no paths). */
export async function bundleAction(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../src/action/main.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // Bundled CommonJS packages call require(); ESM has none, so give the bundle one.
    banner: {
      js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  const [file] = result.outputFiles;
  if (!file) throw new Error("esbuild produced no output");
  return file.text;
}

async function main(argv: readonly string[]): Promise<number> {
  const text = await bundleAction();
  let committed = "";
  try {
    committed = readFileSync(BUNDLE_PATH, "utf8");
  } catch {}
  if (argv.includes("--check")) {
    if (committed === text) return 0;
    process.stderr.write("dist-action/index.js is stale: run `npm run build:action` and commit it\n");
    return 1;
  }
  if (committed !== text) writeFileSync(BUNDLE_PATH, text);
  process.stdout.write(`dist-action/index.js: ${(text.length / 1024).toFixed(0)} KiB\n`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
