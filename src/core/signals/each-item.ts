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
  return items.flatMap((item, index) =>
    tryItem(joinPath(at, String(index)), ctx, () => convert(item, index)),
  );
}

/** One item at path `here`: its results, or none when it failed and `ctx.skip` took the reason. */
export function tryItem<R>(
  here: string,
  ctx: Pick<AdapterContext, "skip">,
  convert: () => readonly R[],
): R[] {
  try {
    return [...convert()];
  } catch (error) {
    if (!(error instanceof SignalError) || error.status !== 400 || !ctx.skip) throw error;
    const inside = error.path === here || error.path?.startsWith(`${here}.`);
    ctx.skip({ path: inside ? (error.path ?? here) : joinPath(here, error.path), reason: error.message });
    return [];
  }
}
