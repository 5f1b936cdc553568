import { CONFIG_PATH } from "../../core/config/schema.js";
import { codeSpan } from "../../core/render/escape-markdown.js";
import type { RepoConfigResult } from "../load-repo-config.js";
import { renderConfigProblems } from "../render-config-problems.js";
import type { CheckRunContent } from "../writers/upsert-check-run.js";

/** The one check run Backflow writes per head SHA of a pull request. */
export const IMPACT_CHECK_NAME = "Backflow: contract impact";

/**
 * The impact check run's content when `.github/backflow.yml` at head does not validate, so no
 * analysis can run (a valid config goes to `runImpactCheck`). It fails the check only when the pull
 * request itself changes the config (that is where it gets fixed); otherwise the check is neutral and
 * points at the problems.
 */
export async function planImpactCheck(input: {
  config: Extract<RepoConfigResult, { ok: false }>;
  /** Whether the pull request changes the config file. */
  changesConfig: () => Promise<boolean>;
}): Promise<CheckRunContent> {
  const problems = renderConfigProblems(input.config.error);
  if (await input.changesConfig()) {
    return {
      name: IMPACT_CHECK_NAME,
      conclusion: "failure",
      title: `${CONFIG_PATH} is invalid`,
      summary: `This pull request changes ${codeSpan(CONFIG_PATH)}, and it does not validate:\n\n${problems}`,
    };
  }
  return {
    name: IMPACT_CHECK_NAME,
    conclusion: "neutral",
    title: "Configuration is invalid; impact analysis skipped",
    summary: `${codeSpan(CONFIG_PATH)} does not validate, so Backflow did not analyse this pull request:\n\n${problems}`,
  };
}
