/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The closest word to `input` among `choices`, when it is close enough to be a likely typo
 * (at most 2 edits, and no more than half the word), or the one choice sharing a long start with it.
 * @example suggestWord("anotate", ["annotate", "report"]) // "annotate"
 */
export function suggestWord(input: string, choices: readonly string[]): string | undefined {
  const word = input.toLowerCase();
  if (word.length === 0) return undefined;
  let best: { choice: string; distance: number } | undefined;
  for (const choice of choices) {
    const distance = editDistance(word, choice.toLowerCase());
    if (!best || distance < best.distance) best = { choice, distance };
  }
  if (best && best.distance <= Math.min(2, Math.ceil(word.length / 2))) return best.choice;
  // A long shared start ("cleanse" → "cleansing") is a likely abbreviation even when the tail differs.
  const prefixed = choices.filter(
    (c) => commonPrefix(word, c.toLowerCase()) >= Math.min(5, Math.max(3, word.length)),
  );
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
