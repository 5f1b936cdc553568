import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Compares rendered markdown with its reviewed golden file. `UPDATE_GOLDEN=1` rewrites the file
 * instead, for a person to read and commit; the tests next to each golden assert its properties too.
 */
export function readGolden(name: string, actual: string): string {
  const url = new URL(`./${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(url)) writeFileSync(url, actual);
  return readFileSync(url, "utf8");
}

/** The widest markdown table in a text, in columns. */
export function widestTable(markdown: string): number {
  const rules = markdown.split("\n").filter((l) => /^\|( *:?-{3,}:? *\|)+$/.test(l));
  return Math.max(0, ...rules.map((l) => l.split("|").length - 2));
}
