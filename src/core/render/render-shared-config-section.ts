import type { ConfigEffect } from "../config/shared-config-effect.js";
import type { ConfigProblem } from "../errors.js";
import { codeSpan, escapeMarkdown } from "./escape-markdown.js";
import { capInline, capList, plural } from "./fit-to-limit.js";
import { renderTable } from "./markdown-table.js";

/** What a pull request's change to one shared configuration file does. */
export type SharedFileImpact = {
  /** `owner/repo:path`. */
  readonly file: string;
  readonly status: "added" | "modified" | "removed";
  /** Problems of the new file with its own bases, validated on its own (empty when valid or removed). */
  readonly problems: readonly ConfigProblem[];
  /** Repositories Backflow knows extend the file (directly, through another file, or as their organisation default). */
  readonly known: number;
  /** The known repositories whose effective configuration this change alters, and how. */
  readonly affected: readonly {
    readonly repo: string;
    readonly effect: Exclude<ConfigEffect, { kind: "unchanged" }>;
  }[];
};

/** The shared configuration files a pull request changes; `since` is when Backflow began recording who extends them. */
export type SharedConfigImpact = {
  readonly files: readonly SharedFileImpact[];
  readonly since?: string;
};

const MAX_REPOS = 30;
const MAX_PROBLEMS = 10;

/** Whether the change must fail the check: a shared file that does not validate, or a dependent it breaks. */
export function sharedConfigFails(impact: SharedConfigImpact | undefined): boolean {
  return (impact?.files ?? []).some(
    (f) => f.problems.length > 0 || f.affected.some((a) => a.effect.kind === "becomes-invalid"),
  );
}

/** The title prefix of a check run whose shared configuration change fails; empty otherwise. */
export function sharedConfigTitlePrefix(impact: SharedConfigImpact | undefined): string {
  return sharedConfigFails(impact) ? "Shared configuration invalid · " : "";
}

function problemLine(p: ConfigProblem): string {
  const file = p.file ? `${codeSpan(p.file)} ` : "";
  return `- ${file}${codeSpan(p.path || "(root)")}: ${escapeMarkdown(p.message)}`;
}

function effectCell(effect: SharedFileImpact["affected"][number]["effect"]): string {
  switch (effect.kind) {
    case "changes":
      return `changes ${capInline(effect.keys, 8, codeSpan)}`;
    case "becomes-valid":
      return "becomes valid";
    case "becomes-invalid":
    case "stays-invalid": {
      const first = effect.problems[0];
      const what = effect.kind === "becomes-invalid" ? "**becomes invalid**" : "stays invalid";
      const why = first ? ` — ${codeSpan(first.path || "(root)")}: ${escapeMarkdown(first.message)}` : "";
      const more = effect.problems.length > 1 ? ` (+${effect.problems.length - 1} more)` : "";
      return `${what}${why}${more}`;
    }
  }
}

function fileSection(f: SharedFileImpact, since: string | undefined): string {
  const lines = [`#### ${codeSpan(f.file)} (${f.status})`, ""];
  if (f.problems.length > 0) {
    lines.push(
      `**The new file does not validate** (${plural(f.problems.length, "problem")}): every repository that uses it would get this error.`,
      "",
      ...capList(f.problems, MAX_PROBLEMS, problemLine, "problem"),
      "",
    );
  }
  const unchanged = f.known - f.affected.length;
  lines.push(
    `${plural(f.known, "repository", "repositories")} known to extend this file; this change alters the configuration of ${plural(f.affected.length, "repository", "repositories")}${unchanged > 0 ? ` (${unchanged} set the changed keys themselves)` : ""}.`,
  );
  if (f.affected.length > 0) {
    const rows = f.affected
      .slice(0, MAX_REPOS)
      .map((a) => [{ md: codeSpan(a.repo) }, { md: effectCell(a.effect) }]);
    lines.push("", renderTable(["Repository", "Effect"], rows));
    if (f.affected.length > MAX_REPOS)
      lines.push("", `…and ${f.affected.length - MAX_REPOS} more repositories`);
  }
  const from = since ? ` since ${since.slice(0, 10)}` : "";
  lines.push(
    "",
    `_Backflow learns what a repository extends when it validates that repository's configuration (on install, when it is added to the installation, and on each push to its default branch that changes its config); repositories not validated${from} are not listed._`,
  );
  return lines.join("\n");
}

/** The "Shared configuration" section of the impact check; empty when the pull request changes no shared file. */
export function renderSharedConfigSection(impact: SharedConfigImpact | undefined): string {
  if (!impact || impact.files.length === 0) return "";
  return [
    "### Shared configuration",
    "",
    `This pull request changes ${plural(impact.files.length, "configuration file")} that other repositories extend (\`_extends\`, or the organisation default).`,
    "",
    impact.files.map((f) => fileSection(f, impact.since)).join("\n\n"),
  ].join("\n");
}
