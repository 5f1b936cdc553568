import { CONFIG_PATH } from "../../core/config/schema.js";
import { codeSpan } from "../../core/render/escape-markdown.js";
import type { RepoConfigResult } from "../load-repo-config.js";
import { renderConfigProblems } from "../render-config-problems.js";
import type { CheckRunContent } from "../writers/upsert-check-run.js";

/** The one check run Backflow writes per head SHA of a pull request. */
export const IMPACT_CHECK_NAME = "Backflow: contract impact";

/**
 * Decides what the impact check run says for a pull request. An invalid config fails the check
 * only when the pull request itself changes the config (that is where it gets fixed); otherwise the
 * check is neutral and points at the problem. The impact analysis plugs in where the config is valid.
 */
export async function planImpactCheck(input: {
  config: RepoConfigResult;
  /** Whether the pull request changes the config file; asked only when the config is invalid. */
  changesConfig: () => Promise<boolean>;
}): Promise<CheckRunContent> {
  const { config } = input;
  if (!config.ok) {
    const problems = renderConfigProblems(config.error);
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
  return {
    name: IMPACT_CHECK_NAME,
    conclusion: "neutral",
    title: "Impact analysis is not configured yet",
    summary:
      "Impact analysis is not configured yet. Backflow validated the configuration and will report contract impact here.",
  };
}
