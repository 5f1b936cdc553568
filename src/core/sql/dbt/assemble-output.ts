/**
 * Joins rendered pieces into SQL and a line map. A piece is text from one place in the source:
 * template text advances its line at each newline; the output of a tag stays on the tag's line.
 */
export type Piece = { readonly text: string; readonly line: number; readonly multiline: boolean };

export type AssembledOutput = { readonly sql: string; readonly lineMap: number[] };

/**
 * A rendered line maps to the source line of its first non-blank character; a blank line to the line of its
 * first character, or of the newline that ends it. Every entry is clamped to 1..sourceLineCount.
 */
export function assembleOutput(pieces: readonly Piece[], sourceLineCount: number): AssembledOutput {
  const lines: string[] = [];
  const lineMap: number[] = [];
  const clamp = (n: number): number => Math.min(Math.max(n, 1), Math.max(sourceLineCount, 1));
  let parts: string[] = [];
  let firstChar = 0;
  let firstContent = 0;
  let lastNewline = 0;
  for (const piece of pieces) {
    let line = piece.line;
    let start = 0;
    for (;;) {
      const newline = piece.text.indexOf("\n", start);
      const chunk = newline < 0 ? piece.text.slice(start) : piece.text.slice(start, newline);
      if (chunk.length > 0) {
        parts.push(chunk);
        if (firstChar === 0) firstChar = line;
        if (firstContent === 0 && /\S/.test(chunk)) firstContent = line;
      }
      if (newline < 0) break;
      lines.push(parts.join(""));
      lineMap.push(clamp(firstContent || firstChar || line));
      parts = [];
      firstChar = 0;
      firstContent = 0;
      lastNewline = line;
      if (piece.multiline) line++;
      start = newline + 1;
    }
  }
  lines.push(parts.join(""));
  lineMap.push(clamp(firstContent || firstChar || lastNewline + 1));
  return { sql: lines.join("\n"), lineMap };
}
