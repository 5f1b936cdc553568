import { readFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "../cli/command.js";

/** What fails the step: the class of change (`breaking` includes undecided ones), or nothing. */
export const FailOnSchema = z.enum(["breaking", "unknown", "never"]);
export type FailOn = z.infer<typeof FailOnSchema>;

export const ActionInputsSchema = z.object({
  command: z.enum(["impact", "lineage", "expect-check"]).default("impact"),
  base: z.string().optional(),
  head: z.string().optional(),
  path: z.string().default("."),
  config: z.string().optional(),
  "fail-on": FailOnSchema.default("breaking"),
  format: z.enum(["markdown", "json"]).default("markdown"),
  comment: z.enum(["true", "false"]).default("false"),
  token: z.string().optional(),
});
export type ActionInputs = z.infer<typeof ActionInputsSchema>;

/** The parts of a `pull_request` (or `pull_request_target`) event the Action reads. */
const PullRequestEventSchema = z.object({
  pull_request: z.object({
    number: z.number().int(),
    body: z.string().nullable().optional(),
    base: z.object({ sha: z.string() }),
    head: z.object({ sha: z.string() }),
  }),
});
export type PullRequestEvent = z.infer<typeof PullRequestEventSchema>;

/**
 * The Action's inputs as the runner passes them (`INPUT_<NAME>`, upper-cased, hyphens kept); empty
 * values count as not given, as in `@actions/core`. Invalid values are a UsageError naming the input.
 */
export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ActionInputsSchema.shape)) {
    const value = env[`INPUT_${key.toUpperCase()}`]?.trim();
    if (value) raw[key] = value;
  }
  const parsed = ActionInputsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`input ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** The pull request of the event that started the workflow, or undefined for other events. */
export function readPullRequest(env: NodeJS.ProcessEnv): PullRequestEvent["pull_request"] | undefined {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`GITHUB_EVENT_PATH ${path} is not readable JSON: ${(error as Error).message}`);
  }
  const parsed = PullRequestEventSchema.safeParse(body);
  return parsed.success ? parsed.data.pull_request : undefined;
}
