import { SignalError } from "../../core/errors.js";

/** JSON nested deeper than this is refused: no format Backflow reads comes near it. */
export const MAX_JSON_DEPTH = 64;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Line and column (1-based) of a byte offset, for error messages. */
function lineColumn(body: Buffer, offset: number): { line: number; column: number } {
  const before = body.subarray(0, offset);
  const line = before.filter((b) => b === 0x0a).length + 1;
  const column = offset - (before.lastIndexOf(0x0a) + 1) + 1;
  return { line, column };
}

/**
 * The body as text: a leading UTF-8 byte order mark is dropped, and invalid UTF-8 is refused (400)
 * with the byte offset, line and column of the first bad byte, instead of being stored with
 * replacement characters.
 */
export function decodeUtf8(body: Buffer): string {
  const bytes = body.subarray(0, 3).equals(BOM) ? body.subarray(3) : body;
  const text = bytes.toString("utf8");
  if (!text.includes("\uFFFD")) return text;
  // Re-encoding turns each invalid sequence into EF BF BD; the first differing byte is the bad one.
  const again = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length && offset < again.length && bytes[offset] === again[offset]) offset++;
  if (offset === bytes.length && offset === again.length) return text; // a real U+FFFD, encoded correctly
  const { line, column } = lineColumn(bytes, offset);
  const bad = (bytes[offset] ?? 0).toString(16).padStart(2, "0");
  throw new SignalError(
    `the body is not valid UTF-8: byte 0x${bad} at offset ${offset} (line ${line}, column ${column}); send UTF-8 text`,
    400,
  );
}

/** The depth of the deepest array or object in a parsed JSON value, counted without recursion. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<readonly [unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as readonly [unknown, number];
    if (typeof item !== "object" || item === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Parses a signal body: UTF-8 (BOM allowed), one JSON document, nested at most MAX_JSON_DEPTH deep.
 * Every failure is a SignalError 400 that says what to fix.
 */
export function parseJsonBody(body: Buffer): unknown {
  const text = decodeUtf8(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SignalError(
      `the body is not valid JSON (${(error as Error).message}); send one JSON document`,
      400,
      "",
    );
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    throw new SignalError(
      `the body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; no signal format needs that`,
      400,
      "",
    );
  }
  return value;
}
