import { createHash } from "node:crypto";
import { parsePayload } from "./parse-payload.js";
import {
  type AdapterContext,
  MAX_MESSAGE_CHARS,
  MAX_RAW_BYTES,
  type Severity,
  type Signal,
  SignalSchema,
} from "./signal-schema.js";

/** Everything an adapter decides; `buildSignal` adds the id, the source name and the caps. */
export type SignalDraft = Omit<Signal, "id" | "receivedAt" | "source" | "message" | "raw"> & {
  readonly source: Omit<Signal["source"], "name">;
  /** Stable parts identifying this observation at its source (run id, check id…), hashed into the id. */
  readonly idParts: ReadonlyArray<string | number | undefined>;
  readonly message: string;
  readonly raw?: unknown;
};

/** Deterministic id: the same observation replayed yields the same id, so intake deduplicates it. */
export function signalId(prefix: string, parts: ReadonlyArray<string | number | undefined>): string {
  const digest = createHash("sha256")
    .update(JSON.stringify(parts.map((p) => p ?? null)))
    .digest("hex");
  return `${prefix}:${digest.slice(0, 32)}`;
}

/** Keeps a message within MAX_MESSAGE_CHARS, marking the cut. */
export function truncateMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  const clean = text.replace(/\s+/g, " ").trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/** The raw item itself when small, else a truncated JSON preview that says how large it was. */
export function capRaw(raw: unknown): unknown {
  if (raw === undefined) return undefined;
  const text = JSON.stringify(raw) ?? "";
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= MAX_RAW_BYTES) return raw;
  return { truncated: true, bytes, preview: text.slice(0, 2048) };
}

/** Maps the severity words tools use onto Backflow's three levels. */
export function normalizeSeverity(value: unknown, fallback: Severity): Severity {
  if (typeof value !== "string") return fallback;
  const v = value.toLowerCase();
  if (["critical", "error", "fatal", "high", "page", "fail", "failure"].includes(v)) return "error";
  if (["warning", "warn", "medium", "major", "minor"].includes(v)) return "warning";
  if (["info", "informational", "low", "none", "notice"].includes(v)) return "info";
  return fallback;
}

/** A finite number from a number or numeric string; anything else is undefined. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value.trim().replace(/%$/, ""));
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

// GX 0.x writes compact run times (20260101T120000.000000Z); some tools put a space before the time.
function isoish(text: string): string {
  const compact = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\.\d+)?Z$/.exec(text);
  if (compact) {
    const [, y, mo, d, h, mi, sec, frac] = compact;
    return `${y}-${mo}-${d}T${h}:${mi}:${sec}${(frac ?? "").slice(0, 4)}Z`;
  }
  return /^\d{4}-\d\d-\d\d \d/.test(text) ? text.replace(" ", "T") : text;
}

/** An ISO timestamp for a tool's date string, or the fallback when it is missing or unreadable. */
export function toIso(value: unknown, fallback: Date): string {
  if (typeof value === "string" || typeof value === "number") {
    const d = new Date(typeof value === "string" ? isoish(value) : value);
    if (!Number.isNaN(d.getTime()) && d.getUTCFullYear() > 1) return d.toISOString();
  }
  return fallback.toISOString();
}

/** Finishes a draft into a canonical Signal: id, source name, receivedAt, message and raw caps. */
export function buildSignal(draft: SignalDraft, ctx: AdapterContext): Signal {
  const { idParts, source, message, raw, ...rest } = draft;
  return parsePayload(
    SignalSchema,
    {
      ...rest,
      id: signalId(source.kind, idParts),
      source: { ...source, name: ctx.source },
      receivedAt: ctx.receivedAt.toISOString(),
      message: truncateMessage(message),
      raw: capRaw(raw),
    },
    `${source.kind} (after conversion)`,
  );
}

/** Drops later signals whose id repeats an earlier one (the same observation reported twice). */
export function uniqueById(signals: readonly Signal[]): Signal[] {
  const seen = new Set<string>();
  return signals.filter((s) => {
    if (seen.has(s.id)) return false;
    seen.add(s.id);
    return true;
  });
}
