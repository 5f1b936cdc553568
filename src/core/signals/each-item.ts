import { SignalError } from "../errors.js";
import { joinPath } from "./parse-payload.js";
import type { AdapterContext } from "./signal-schema.js";

/**
 * Converts each item of a payload on its own, so one bad item (an alert without a dataset label, a
 * facet of the wrong shape) does not take the valid ones down with it. A SignalError 400 from an
 * item is reported through `ctx.skip` with the item's path; without `ctx.skip` it is thrown.
 *
 * @example eachItem(webhook.alerts, "alerts", ctx, (alert, i) => [toSignal(alert, i)])
 */
export function eachItem<T, R>(
  items: readonly T[],
  at: string,
  ctx: Pick<AdapterContext, "skip">,
  convert: (item: T, index: number) => readonly R[],
): R[] {
  const out: R[] = [];
  items.forEach((item, index) => {
    const here = joinPath(at, String(index));
    try {
      out.push(...convert(item, index));
    } catch (error) {
      if (!(error instanceof SignalError) || error.status !== 400 || !ctx.skip) throw error;
      const path = error.path?.startsWith(here) ? error.path : joinPath(here, error.path);
      ctx.skip({ path, reason: error.message });
    }
  });
  return out;
}
