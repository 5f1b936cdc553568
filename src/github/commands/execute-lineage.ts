import type { CommandOf } from "../../core/commands/command-schema.js";
import { renderLineageReply } from "../../core/commands/render-lineage-reply.js";
import { loadDefaultBranchContext } from "../drift/load-triage-context.js";
import type { CommandContext, CommandResult } from "./command-context.js";

/** `/backflow lineage`: traces a table or column through the default branch's lineage (cached loader). */
export async function executeLineage(
  ctx: CommandContext,
  command: CommandOf<"lineage">,
): Promise<CommandResult> {
  const context = await loadDefaultBranchContext(ctx);
  const reply = renderLineageReply(context.graph, command.args);
  return { status: reply.ok ? "done" : "failed", message: reply.markdown };
}
