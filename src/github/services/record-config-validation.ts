import { repoKeyOf } from "../../core/github/repo-key.js";
import type { Store } from "../../store/store.js";
import type { Clock } from "../app-deps.js";
import { recordConfigExtends } from "../config/config-dependents.js";
import type { RepoConfigResult } from "../load-repo-config.js";

/** The repoState key holding the latest validation of `.github/backflow.yml`. */
export const CONFIG_VALIDATION_KEY = "config:validation";

export type ConfigValidationRecord = {
  readonly ok: boolean;
  readonly ref: string;
  readonly source: "file" | "organization" | "defaults" | "invalid";
  readonly problems: ReadonlyArray<{ path: string; message: string }>;
  readonly at: string;
};

/**
 * Remembers the latest config validation for a repository (repoState) and appends it to the audit
 * log, so `/readyz`-style tooling and the dashboard can show why a repository is not analysed.
 */
export async function recordConfigValidation(input: {
  store: Store;
  clock: Clock;
  repo: string;
  ref: string;
  result: RepoConfigResult;
  actor: string;
  trigger: string;
}): Promise<ConfigValidationRecord> {
  const { store, clock, repo, ref, result } = input;
  const now = clock();
  const record: ConfigValidationRecord = {
    ok: result.ok,
    ref,
    source: result.ok ? result.source : "invalid",
    problems: result.ok ? [] : result.error.problems,
    at: now.toISOString(),
  };
  await store.repoState.put({ repo, key: CONFIG_VALIDATION_KEY, value: record, now });
  // Which shared files this configuration extends, so a pull request changing one can name this repository.
  await recordConfigExtends({ store, clock, repo: repoKeyOf(repo), ref, result });
  await store.audit.record({
    at: now,
    actor: input.actor,
    action: result.ok ? "config.valid" : "config.invalid",
    repo,
    target: ref,
    detail: { trigger: input.trigger, source: record.source, problems: record.problems },
  });
  return record;
}
