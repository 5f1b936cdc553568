import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { runAction } from "../../src/action/run-action.js";
import { loadPayload } from "../helpers/payloads.js";

export const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
/** Where the example shop sits in the test repository, as it does in Backflow's own. */
export const SHOP = "examples/shop";

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    stdio: "pipe",
  })
    .toString()
    .trim();
}

/**
 * An origin repository with the example shop under examples/shop on `main`, and one branch per
 * scenario: the example changes (examples/changes) and `unknown`, which edits a contract's email
 * pattern (a change Backflow cannot decide, so it counts as breaking).
 */
export function createOrigin(): { dir: string; sha: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "backflow-action-origin-"));
  mkdirSync(join(dir, SHOP), { recursive: true });
  cpSync(join(EXAMPLES, "shop"), join(dir, SHOP), { recursive: true });
  writeFileSync(join(dir, "README.md"), "a repository with a pipeline in a subdirectory\n");
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "shop");
  const sha: Record<string, string> = { main: git(dir, "rev-parse", "HEAD") };
  for (const scenario of ["breaking", "non-breaking"]) {
    git(dir, "checkout", "-q", "-b", scenario, "main");
    cpSync(join(EXAMPLES, "changes", scenario), join(dir, SHOP), { recursive: true });
    git(dir, "commit", "-qam", scenario);
    sha[scenario] = git(dir, "rev-parse", "HEAD");
  }
  git(dir, "checkout", "-q", "-b", "unknown", "main");
  const contract = join(dir, SHOP, "contracts", "customers.odcs.yaml");
  const text = readFileSync(contract, "utf8");
  const edited = text.replace(/pattern: ".*"/, 'pattern: "^.+@.+$"');
  if (edited === text) throw new Error("the example customers contract has no email pattern to edit");
  writeFileSync(contract, edited);
  git(dir, "commit", "-qam", "unknown");
  sha.unknown = git(dir, "rev-parse", "HEAD");
  git(dir, "checkout", "-q", "main");
  return { dir, sha };
}

/**
 * For a test file: the origin repository and a full checkout of scenario `ref`, made before its tests
 * and removed after them; read them through the returned getters inside tests.
 */
export function useCheckout(ref: string): {
  origin: () => ReturnType<typeof createOrigin>;
  workspace: () => string;
} {
  let origin: ReturnType<typeof createOrigin> | undefined;
  let workspace: string | undefined;
  beforeAll(() => {
    origin = createOrigin();
    workspace = cloneAt(origin.dir, ref);
  });
  afterAll(() => {
    for (const dir of [origin?.dir, workspace]) if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useCheckout: read inside a test, after beforeAll");
    return value;
  };
  return { origin: () => need(origin), workspace: () => need(workspace) };
}

/** A full clone of `origin` with `ref` checked out, as actions/checkout does with `fetch-depth: 0`. */
export function cloneAt(origin: string, ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), "backflow-action-checkout-"));
  execFileSync("git", ["clone", "-q", `file://${origin}`, dir], { stdio: "pipe" });
  git(dir, "checkout", "-q", ref);
  return dir;
}

/** A real `pull_request.opened` payload for base..head with `body`. */
export function pullRequestEvent(input: {
  base: string;
  head: string;
  body?: string | null;
  number?: number;
}) {
  return loadPayload("pull_request", {
    action: "opened",
    overrides: {
      number: input.number ?? 7,
      pull_request: {
        number: input.number ?? 7,
        body: input.body ?? null,
        base: { sha: input.base },
        head: { sha: input.head },
      },
    },
  });
}

export type WorkflowResult = {
  readonly code: number;
  readonly stdout: string;
  readonly summary: string;
  readonly outputs: Record<string, string>;
};

/** The outputs a step wrote to GITHUB_OUTPUT (`name<<delimiter` blocks). */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1] ?? ""] = m[3] ?? "";
  return outputs;
}

/** The runner's environment for one step: the event file, summary and output files, and the inputs. */
export function workflowEnv(input: {
  workspace: string;
  event: Record<string, unknown>;
  inputs?: Record<string, string>;
}): NodeJS.ProcessEnv & { GITHUB_STEP_SUMMARY: string; GITHUB_OUTPUT: string } {
  const runner = mkdtempSync(join(tmpdir(), "backflow-action-runner-"));
  const eventPath = join(runner, "event.json");
  writeFileSync(eventPath, JSON.stringify(input.event));
  const env = {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: input.workspace,
    GITHUB_REPOSITORY: "octo-org/shop",
    GITHUB_API_URL: "https://api.github.com",
    GITHUB_RUN_ID: "42",
    RUNNER_TEMP: runner,
    GITHUB_STEP_SUMMARY: join(runner, "summary.md"),
    GITHUB_OUTPUT: join(runner, "output.txt"),
  };
  writeFileSync(env.GITHUB_STEP_SUMMARY, "");
  writeFileSync(env.GITHUB_OUTPUT, "");
  const inputs = Object.fromEntries(
    Object.entries({ path: SHOP, ...input.inputs }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
  );
  return { ...env, ...inputs };
}

/** Runs the Action's entry in this process with `env`, as the runner would, and reads what it wrote. */
export async function runWorkflow(env: ReturnType<typeof workflowEnv>): Promise<WorkflowResult> {
  let stdout = "";
  const code = await runAction({ env, out: (t) => (stdout += t) });
  return {
    code,
    stdout,
    summary: readFileSync(env.GITHUB_STEP_SUMMARY, "utf8"),
    outputs: parseOutputs(readFileSync(env.GITHUB_OUTPUT, "utf8")),
  };
}
