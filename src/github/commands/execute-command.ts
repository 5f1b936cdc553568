import type { Command, CommandName } from "../../core/commands/command-schema.js";
import { renderHelp } from "../../core/commands/render-help.js";
import type { CommandContext, CommandResult } from "./command-context.js";
import { executeAnnotate } from "./execute-annotate.js";
import { executeResolve, executeSnooze } from "./execute-finding-command.js";
import { executeLineage } from "./execute-lineage.js";
import { executePropose } from "./execute-propose.js";
import { executeReport } from "./execute-report.js";
import { executeRollback } from "./execute-rollback.js";

/** Runs one parsed, permitted command. */
export async function executeCommand(
  ctx: CommandContext,
  command: Command & { line: number },
  allowed: ReadonlySet<CommandName> | undefined,
): Promise<CommandResult> {
  switch (command.command) {
    case "help":
      return { status: "done", message: renderHelp(allowed ? { allowed } : {}) };
    case "annotate":
      return executeAnnotate(ctx, command);
    case "report":
      return executeReport(ctx, command);
    case "snooze":
      return executeSnooze(ctx, command);
    case "resolve":
      return executeResolve(ctx, command);
    case "lineage":
      return executeLineage(ctx, command);
    case "propose":
      return executePropose(ctx, command);
    case "rollback":
      return executeRollback(ctx);
  }
}
