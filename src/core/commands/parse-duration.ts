import { codeSpan } from "../render/escape-markdown.js";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** The longest duration a command or expectation may name; longer ones are almost always typos. */
export const MAX_DURATION_MS = 366 * UNIT_MS.d;

export type ParsedDuration =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly error: string };

/**
 * Reads a duration such as `30m`, `12h`, `3d` or `1w` (minutes, hours, days, weeks).
 * @example parseDuration("3d") // { ok: true, ms: 259200000 }
 */
export function parseDuration(text: string): ParsedDuration {
  const match = /^(\d{1,6})\s*([mhdw])$/i.exec(text.trim());
  if (!match) {
    return {
      ok: false,
      error: `${codeSpan(text)} is not a duration; write a number and a unit: m (minutes), h (hours), d (days) or w (weeks), e.g. \`3d\``,
    };
  }
  const ms = Number(match[1]) * UNIT_MS[(match[2] as string).toLowerCase() as Unit];
  if (ms <= 0) return { ok: false, error: `the duration ${codeSpan(text)} must be longer than zero` };
  if (ms > MAX_DURATION_MS)
    return { ok: false, error: `the duration ${codeSpan(text)} is longer than a year` };
  return { ok: true, ms };
}
