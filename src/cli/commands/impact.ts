import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ImpactReportSchema } from "../../core/impact/impact-report.js";
import { renderImpact } from "../../core/render/render-impact.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";
import { git } from "../git-snapshot.js";
import { analyzeLocalImpact } from "../local-impact.js";

function option(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** `backflow impact`: the impact of `--base`..`--head` (or the working tree) in a local checkout. */
export async function runImpact({ values, positionals }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const base = option(values, "base");
  const format = option(values, "format") ?? "markdown";
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!base) throw new UsageError(`--base <ref> is required`);
  if (format !== "markdown" && format !== "json") throw new UsageError("--format must be markdown or json");
  const dir = resolve(io.cwd, option(values, "repo") ?? ".");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const headRef = option(values, "head");
  // The merge base makes the comparison the change's own diff, as a pull request shows it.
  const mergeBase = git(dir, ["merge-base", base, headRef ?? "HEAD"])
    .toString()
    .trim();
  const { report, headGraph } = analyzeLocalImpact({
    dir,
    base: mergeBase,
    ...(headRef === undefined ? {} : { head: headRef }),
    warn: (message) => io.err(`backflow impact: ${message}\n`),
  });
  if (format === "json") io.out(`${JSON.stringify(ImpactReportSchema.parse(report), null, 2)}\n`);
  else {
    const rendered = renderImpact(report, {
      graph: headGraph,
      commandLine: `backflow impact --base ${base}`,
    });
    io.out(`## ${rendered.title}\n\n${rendered.summary}\n`);
    // What the summary capped, in full (the check run's text field on GitHub).
    if (/…and \d+ more|Left out to stay/.test(rendered.summary))
      io.out(`\n## Everything\n\n${rendered.text}\n`);
  }
  return report.verdict === "breaking" && report.blocking ? EXIT.findings : EXIT.ok;
}
