import type { CommandOf } from "../../core/commands/command-schema.js";
import { resolveTarget } from "../../core/commands/resolve-target.js";
import { ConfigError } from "../../core/errors.js";
import { codeSpan } from "../../core/render/escape-markdown.js";
import {
  MAX_MESSAGE_CHARS,
  metricKindOf,
  type Signal,
  SignalSchema,
} from "../../core/signals/signal-schema.js";
import { triageDeliveryJobInput } from "../../server/signals/triage-delivery-job.js";
import { loadDefaultBranchContext } from "../drift/load-triage-context.js";
import { type CommandContext, type CommandResult, done } from "./command-context.js";

/** The canonical signal for a `/backflow report` line; the analyst's note is its message (escaped when rendered). */
export function buildReportedSignal(
  ctx: Pick<CommandContext, "actor" | "commentId" | "commentUrl" | "now">,
  command: CommandOf<"report"> & { line: number },
  tableIds: readonly string[] = [],
): Signal {
  const { target, metric, value, note } = command.args;
  const { dataset, column } = resolveTarget(target, tableIds);
  return SignalSchema.parse({
    id: `comment-${ctx.commentId}-${command.line}`,
    source: { kind: "backflow", name: `comment:${ctx.actor}`, url: ctx.commentUrl },
    observedAt: ctx.now.toISOString(),
    type: "metric_breach",
    status: "firing",
    severity: "warning",
    dataset: { name: dataset },
    ...(column ? { column } : {}),
    measurement: { metric, kind: metricKindOf(metric), value },
    message: (note ?? `reported by ${ctx.actor}`).slice(0, MAX_MESSAGE_CHARS),
  });
}

/**
 * The default branch's table ids, when the target is dotted and so could be `table.column` or a
 * qualified table (`analytics.orders`); the lineage decides. An invalid config leaves it to the
 * last dot, as before.
 */
async function tableIdsFor(ctx: CommandContext, target: string): Promise<string[]> {
  if (!target.includes(".")) return [];
  try {
    const context = await loadDefaultBranchContext(ctx);
    return context.graph.tables.map((t) => t.id);
  } catch (error) {
    if (error instanceof ConfigError) return [];
    throw error;
  }
}

/**
 * Stores a reported measurement through the same path as the signal intake (one delivery with its
 * triage job), so it is triaged like a signal from any monitoring tool.
 */
export async function executeReport(
  ctx: CommandContext,
  command: CommandOf<"report"> & { line: number },
): Promise<CommandResult> {
  const signal = buildReportedSignal(ctx, command, await tableIdsFor(ctx, command.args.target));
  const source = `comment:${ctx.actor}`;
  const deliveryId = signal.id;
  const result = await ctx.deps.store.signals.recordDelivery({
    deliveryId,
    source,
    repo: ctx.repoKey,
    format: "backflow",
    rawBody: JSON.stringify({ comment: ctx.commentUrl, line: command.line, args: command.args }),
    signals: [signal],
    receivedAt: ctx.now,
    job: triageDeliveryJobInput({ source, deliveryId, repo: ctx.repoKey }, ctx.now),
  });
  ctx.log.info({ repo: ctx.repoKey, deliveryId, duplicate: result.duplicate }, "stored reported signal");
  const where = signal.column ? `${signal.dataset.name}.${signal.column}` : signal.dataset.name;
  return done(
    `Recorded ${codeSpan(command.args.metric)} = ${command.args.value} for ${codeSpan(where)}. It will be triaged like any other signal; a breach opens or updates a drift issue.`,
  );
}
