import type { CommandOf } from "../../core/commands/command-schema.js";
import { renderLineageReply } from "../../core/commands/render-lineage-reply.js";
import { loadTriageContext } from "../drift/load-triage-context.js";
import type { CommandContext, CommandResult } from "./command-context.js";

/** `/backflow lineage`: traces a table or column through the default branch's lineage (cached loader). */
export async function executeLineage(
  ctx: CommandContext,
  command: CommandOf<"lineage">,
): Promise<CommandResult> {
  const context = await loadTriageContext({
    octokit: ctx.octokit,
    store: ctx.deps.store,
    owner: ctx.owner,
    repo: ctx.repo,
    api: { calls: 0 },
  });
  const reply = renderLineageReply(context.graph, command.args);
  return { status: reply.ok ? "done" : "failed", message: reply.markdown };
}
