import type { CommandRun, CommandSpec } from "../command.js";

/**
 * A subcommand as `backflow` sees it before running it: name, help and options here, the
 * implementation loaded only when it runs. `--version`, `--help` and argument errors therefore load
 * none of the parser, zod or the store, and start in about Node's own start-up time.
 */
export type CommandEntry = CommandSpec & { readonly load: () => Promise<CommandRun> };

/** Every subcommand, in the order `backflow --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "annotate",
    summary: "Record an annotation (expected change in a window) for local triage",
    usage:
      "backflow annotate <dataset> <seasonality|policy|event|maintenance> <from>..<to> <note…> [--file F] [--dir D]",
    options: { file: { type: "string" }, dir: { type: "string" }, author: { type: "string" } },
    load: async () => (await import("./annotate.js")).runAnnotate,
  },
  {
    name: "demo",
    summary: "Run Backflow on the bundled example pipeline repository (no GitHub needed)",
    usage: "backflow demo [--repo dir]",
    options: { repo: { type: "string" } },
    load: async () => (await import("./demo.js")).runDemo,
  },
  {
    name: "expect",
    summary: "Check a pull request body's expects: block against the local lineage",
    usage: "backflow expect check <pr-body-file> [--repo dir]",
    options: { repo: { type: "string" } },
    load: async () => (await import("./expect.js")).runExpect,
  },
  {
    name: "impact",
    summary: "Show what a change does to downstream models, contracts and owners (exit 1 when breaking)",
    usage: "backflow impact --base <ref> [--head <ref>] [--repo dir] [--format markdown|json]",
    options: {
      repo: { type: "string" },
      base: { type: "string" },
      head: { type: "string" },
      format: { type: "string", default: "markdown" },
    },
    load: async () => (await import("./impact.js")).runImpact,
  },
  {
    // Its implementation lives with the job queue; test/cli/commands.test.ts checks these options match it.
    name: "jobs",
    summary: "List queued, running, done or dead-lettered jobs; retry a dead-lettered job",
    usage:
      "backflow jobs [--state queued|running|done|dead] [--kind name] [--limit n] [--json] [--retry id] [--database url]",
    options: {
      state: { type: "string" },
      kind: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean" },
      retry: { type: "string" },
      database: { type: "string" },
    },
    load: async () => {
      const { jobsCommand } = await import("../../jobs/jobs-command.js");
      return (args, io) => jobsCommand.run(args, io);
    },
  },
  {
    name: "lineage",
    summary: "Print the column-level lineage of a pipeline repository",
    usage:
      "backflow lineage [dir] [--dialect D] [--json | --mermaid] [--column table.column] [--catalog catalog.json]",
    options: {
      dialect: { type: "string" },
      json: { type: "boolean" },
      mermaid: { type: "boolean" },
      catalog: { type: "string" },
      column: { type: "string" },
    },
    load: async () => (await import("./lineage.js")).runLineage,
  },
  {
    name: "migrate",
    summary: "Create or upgrade the database's schema (as start-up does) and print its version",
    usage: "backflow migrate [--database url]",
    options: { database: { type: "string" } },
    load: async () => (await import("./migrate.js")).runMigrate,
  },
  {
    name: "propose",
    summary: "Propose a cleansing rule or contract change for a signal or finding, as a diff (or --apply it)",
    usage:
      "backflow propose <signal-or-finding-file> [--repo dir] [--kind cleansing|contract] [--relax] [--apply]",
    options: {
      repo: { type: "string" },
      kind: { type: "string" },
      relax: { type: "boolean" },
      apply: { type: "boolean" },
    },
    load: async () => (await import("./propose.js")).runPropose,
  },
  {
    name: "prune",
    summary: "Remove processed signals, finished jobs and old history older than --days (default 90)",
    usage: "backflow prune [--days n] [--database url]",
    options: { days: { type: "string" }, database: { type: "string" } },
    load: async () => (await import("./prune.js")).runPrune,
  },
  {
    name: "review",
    summary:
      "Print the recurring review of the feedback loop (findings, time to resolve, expectations) from a store",
    usage:
      "backflow review [--since 90d] [--cadence weekly|monthly|quarterly] [--github owner/name] [--at ISO] [--database url] [--format markdown|json]",
    options: {
      since: { type: "string" },
      cadence: { type: "string" },
      github: { type: "string" },
      at: { type: "string" },
      database: { type: "string" },
      format: { type: "string", default: "markdown" },
    },
    load: async () => (await import("./review.js")).runReview,
  },
  {
    name: "triage",
    summary: "Judge a signal against a local pipeline repository and print the drift issue (dry run)",
    usage:
      "backflow triage <signal-file> [--repo dir] [--format F] [--history file] [--github owner/name] [--sha S] [--dry-run] [--json]",
    options: {
      repo: { type: "string" },
      format: { type: "string" },
      history: { type: "string" },
      github: { type: "string" },
      sha: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    },
    load: async () => (await import("./triage.js")).runTriage,
  },
];
