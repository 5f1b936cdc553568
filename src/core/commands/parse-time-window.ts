import { codeSpan } from "../render/escape-markdown.js";
export type TimeWindow = { readonly from?: string; readonly to?: string };
export type ParsedWindow =
  | { readonly ok: true; readonly window: TimeWindow }
  | { readonly ok: false; readonly error: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const DAY_MS = 86_400_000;

/**
 * An ISO instant for a bound written as a date or a date-time. A bare date covers the whole UTC day:
 * its start as a `from`, its last millisecond as a `to`. A date-time without an offset is UTC.
 */
export function parseBound(
  text: string,
  end: "from" | "to",
): { ok: true; iso: string } | { ok: false; error: string } {
  const bad = {
    ok: false as const,
    error: `${codeSpan(text)} is not a date; write \`YYYY-MM-DD\` or an ISO date-time such as \`2026-11-01T08:00Z\``,
  };
  const date = DATE.exec(text);
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    if (new Date(ms).toISOString().slice(0, 10) !== text) return bad;
    return { ok: true, iso: new Date(end === "from" ? ms : ms + DAY_MS - 1).toISOString() };
  }
  const dateTime = DATE_TIME.exec(text);
  if (!dateTime) return bad;
  const [, y, mo, d, h, mi, s] = dateTime;
  const dayMs = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (new Date(dayMs).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`) return bad;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return bad;
  const zone = dateTime[7] ?? "Z";
  const normalized = `${text.slice(0, 10)}T${text.slice(11).replace(/(Z|[+-]\d{2}:?\d{2})$/i, "")}${zone.toUpperCase() === "Z" ? "Z" : zone.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")}`;
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? bad : { ok: true, iso: new Date(ms).toISOString() };
}

/**
 * Reads `<from>..<to>`; either side may be left out for an open window (`2026-11-01..`, `..2026-12-01`).
 * @example parseTimeWindow("2026-11-01..2026-12-01") // { ok: true, window: { from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T23:59:59.999Z" } }
 */
export function parseTimeWindow(text: string): ParsedWindow {
  const at = text.indexOf("..");
  if (at < 0) {
    return {
      ok: false,
      error: `${codeSpan(text)} is not a time window; write \`<from>..<to>\`, e.g. \`2026-11-01..2026-12-01\``,
    };
  }
  const fromText = text.slice(0, at).trim();
  const toText = text.slice(at + 2).trim();
  if (!fromText && !toText)
    return { ok: false, error: "the window `..` has no ends; give at least one date" };
  const window: { from?: string; to?: string } = {};
  if (fromText) {
    const from = parseBound(fromText, "from");
    if (!from.ok) return from;
    window.from = from.iso;
  }
  if (toText) {
    const to = parseBound(toText, "to");
    if (!to.ok) return to;
    window.to = to.iso;
  }
  if (window.from && window.to && Date.parse(window.from) > Date.parse(window.to)) {
    return { ok: false, error: `the window ${codeSpan(text)} starts after it ends` };
  }
  return { ok: true, window };
}
