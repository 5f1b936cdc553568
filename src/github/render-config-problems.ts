import type { ConfigError } from "../core/errors.js";
import { codeSpan, escapeMarkdown } from "../core/render/escape-markdown.js";

/** The hidden marker of the one tracking issue about an invalid default-branch config. */
export const CONFIG_ERROR_MARKER = "<!-- backflow:config-error -->";

/**
 * One markdown bullet per problem: `path`: message, after the file it comes from when that is not
 * the error's own (a base reached through `_extends`). Paths and messages may quote user text.
 */
export function renderConfigProblems(error: ConfigError): string {
  return error.problems
    .map((p) => {
      const file = p.file && p.file !== error.file ? `${codeSpan(p.file)} ` : "";
      return `- ${file}${codeSpan(p.path || "(root)")}: ${escapeMarkdown(p.message)}`;
    })
    .join("\n");
}

/** The tracking issue opened when the default branch's config does not validate. */
export function buildConfigErrorIssue(input: { error: ConfigError; sha: string; branch: string }): {
  title: string;
  body: string;
} {
  const { error, sha, branch } = input;
  return {
    title: `Backflow: ${error.file} on ${branch} is invalid`,
    body: [
      CONFIG_ERROR_MARKER,
      `Backflow could not use ${codeSpan(error.file)} at ${sha.slice(0, 7)} on ${codeSpan(branch)}. Until it is fixed, pull requests that carry this configuration get no impact analysis.`,
      "",
      "**Problems**",
      "",
      renderConfigProblems(error),
      "",
      error.problems.some((p) => p.file && p.file !== error.file)
        ? "Fix each file where its problem is listed (a file named before a key is one this configuration extends); this issue closes itself once the default branch's configuration validates."
        : "Fix the file on the default branch; this issue closes itself once it validates.",
    ].join("\n"),
  };
}
