/** GitHub rejects check run summaries, issue and PR bodies over 65,535 characters. */
export const GITHUB_TEXT_LIMIT = 65_535;

/**
 * Joins markdown sections in order and drops whole sections from the end (never cutting one in half)
 * until the text fits, then says how many were left out. Sections listed in `keep` are never dropped.
 */
export function fitSections(
  sections: ReadonlyArray<{ readonly text: string; readonly keep?: boolean }>,
  limit = GITHUB_TEXT_LIMIT,
): string {
  const chosen = sections.map((s) => ({ ...s, included: true }));
  const note = (n: number) => `\n\n_${n} section(s) left out to stay within GitHub's size limit._`;
  const render = () =>
    chosen
      .filter((s) => s.included)
      .map((s) => s.text)
      .join("\n\n");
  let dropped = 0;
  let text = render();
  for (let i = chosen.length - 1; i >= 0 && text.length + (dropped ? note(dropped).length : 0) > limit; i--) {
    const section = chosen[i];
    if (!section || section.keep) continue;
    section.included = false;
    dropped++;
    text = render();
  }
  const out = dropped ? `${text}${note(dropped)}` : text;
  return out.length > limit ? `${out.slice(0, limit - 40)}\n\n_…truncated at GitHub's size limit._` : out;
}

/** Renders at most `max` items and a line counting the rest, so long lists stay readable. */
export function capList<T>(
  items: readonly T[],
  max: number,
  render: (item: T) => string,
  noun = "more",
): string[] {
  const shown = items.slice(0, max).map(render);
  if (items.length > max) shown.push(`…and ${items.length - max} ${noun}`);
  return shown;
}
