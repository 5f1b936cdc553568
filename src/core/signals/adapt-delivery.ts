import { SignalError } from "../errors.js";
import { uniqueById } from "./build-signal.js";
import { ADAPTERS, detectFormat } from "./detect-format.js";
import { type ObservedAtWindow, observedAtProblem } from "./observed-at-window.js";
import type { AdapterContext, Signal, SignalFormat, SkippedItem } from "./signal-schema.js";

/** A payload turned into signals: what was accepted, and what was skipped with its reason. */
export type AdaptedDelivery = {
  readonly format: SignalFormat;
  readonly signals: readonly Signal[];
  readonly skipped: readonly SkippedItem[];
};

/**
 * The intake's conversion of one payload: detects the format, converts every item it can, and skips
 * (with the path and reason) each item that cannot be read or whose observation time is implausible.
 * Throws SignalError 400 only when nothing could be accepted and something was skipped, listing why.
 *
 * @example adaptDelivery(body, { source: "am", receivedAt, deliveryId, window: DEFAULT_OBSERVED_AT_WINDOW })
 */
export function adaptDelivery(
  body: unknown,
  options: Omit<AdapterContext, "skip"> & { readonly hint?: string; readonly window: ObservedAtWindow },
): AdaptedDelivery {
  const { hint, window, ...ctx } = options;
  const format = detectFormat(body, hint);
  const skipped: SkippedItem[] = [];
  const converted = ADAPTERS[format](body, { ...ctx, skip: (item) => skipped.push(item) });
  const signals = uniqueById(converted).filter((signal) => {
    const problem = observedAtProblem(signal, ctx.receivedAt, window);
    if (problem) skipped.push({ path: `signal ${signal.id}`, reason: problem });
    return problem === undefined;
  });
  if (signals.length === 0 && skipped.length > 0) {
    const [first] = skipped;
    const listed = skipped
      .slice(0, 5)
      .map((s) => `${s.path}: ${s.reason}`)
      .join("; ");
    const more = skipped.length > 5 ? ` (and ${skipped.length - 5} more)` : "";
    throw new SignalError(
      `Nothing in this ${format} payload could be accepted: ${listed}${more}`,
      400,
      first?.path.startsWith("signal ") ? "observedAt" : first?.path,
    );
  }
  return { format, signals, skipped };
}
