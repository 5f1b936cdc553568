import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";

/** GitHub's limit on one step's job summary, in bytes. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** `markdown` cut to at most `limit` UTF-8 bytes, with a note when it was cut (never mid-character). */
export function fitBytes(markdown: string, limit = STEP_SUMMARY_LIMIT): string {
  if (Buffer.byteLength(markdown, "utf8") <= limit) return markdown;
  const note = "\n\n_…cut at GitHub's job summary size limit; the report JSON has everything._\n";
  const room = limit - Buffer.byteLength(note, "utf8");
  const cut = Buffer.from(markdown, "utf8")
    .subarray(0, room)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  return `${cut}${note}`;
}

/** Appends to the job summary file (`GITHUB_STEP_SUMMARY`); nothing when the runner gave none. */
export function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): void {
  const path = env.GITHUB_STEP_SUMMARY;
  if (path) appendFileSync(path, fitBytes(markdown.endsWith("\n") ? markdown : `${markdown}\n`));
}

/**
 * Sets step outputs in `GITHUB_OUTPUT`, each as a `name<<delimiter` block so any value is safe; a
 * delimiter that occurs in the value would end it early, so one is drawn at random.
 */
export function setOutputs(env: NodeJS.ProcessEnv, outputs: Readonly<Record<string, string>>): void {
  const path = env.GITHUB_OUTPUT;
  if (!path) return;
  const text = Object.entries(outputs)
    .map(([name, value]) => {
      const delimiter = `ghadelimiter_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join("");
  appendFileSync(path, text);
}
