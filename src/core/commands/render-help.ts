import type { CommandName } from "./command-schema.js";
import { COMMAND_USAGE } from "./command-schema.js";

const HELP: ReadonlyArray<{ name: CommandName; what: string; example: string }> = [
  { name: "help", what: "Show this list.", example: "/backflow help" },
  {
    name: "report",
    what: "Report a measurement; it is triaged like a signal from a monitoring tool.",
    example: '/backflow report orders.customer_id null_rate 0.12 "since the CRM migration"',
  },
  {
    name: "annotate",
    what: "Tell Backflow a change is expected in a window (seasonality, policy, event, maintenance).",
    example: "/backflow annotate orders seasonality 2026-11-20..2026-12-01 Black Friday volume",
  },
  {
    name: "lineage",
    what: "Show where a table or column comes from (`up`), what reads it (`down`), or both.",
    example: "/backflow lineage fct_orders.amount up",
  },
  {
    name: "propose",
    what: "On a drift issue: open a draft PR with a cleansing rule, a contract change or a revert.",
    example: "/backflow propose cleansing",
  },
  {
    name: "snooze",
    what: "On a drift issue: stay quiet for a while (m, h, d, w).",
    example: "/backflow snooze 3d",
  },
  {
    name: "resolve",
    what: "On a drift issue: close it and mark the finding resolved.",
    example: "/backflow resolve fixed upstream",
  },
  {
    name: "rollback",
    what: "On a merged pull request: open a pull request that reverts it. On a drift issue: revert the merge its post-merge canary caught.",
    example: "/backflow rollback",
  },
];

/** The help reply: each command's usage, what it does and an example; `allowed` marks what the reader may run. */
export function renderHelp(input: { allowed?: ReadonlySet<CommandName> } = {}): string {
  const rows = HELP.map(({ name, what, example }) => {
    const mark = input.allowed && !input.allowed.has(name) ? " _(needs more access)_" : "";
    return `- \`${COMMAND_USAGE[name]}\`${mark}\n  ${what}\n  Example: \`${example}\``;
  });
  return [
    "**Backflow commands** — one per line, each starting with `/backflow`. Several lines run in order.",
    "",
    ...rows,
    "",
    "Quote arguments that contain spaces (`\"…\"` or `'…'`). Dates are `YYYY-MM-DD` or ISO date-times; either end of a window may be left open (`2026-11-01..`).",
  ].join("\n");
}
