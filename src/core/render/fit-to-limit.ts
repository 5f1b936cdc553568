/** GitHub rejects check run summaries, issue and PR bodies over 65,535 characters. */
export const GITHUB_TEXT_LIMIT = 65_535;

export type Section = {
  readonly text: string;
  /** Never dropped for size. */
  readonly keep?: boolean;
  /** What the reader is told is missing when this section is dropped, e.g. "Lineage". */
  readonly name?: string;
};

/**
 * `1 model`, `3 models`: a count with its noun. Irregular plurals are passed whole.
 *
 * @example plural(2, "contract") // "2 contracts"
 * @example plural(1, "diagnostic") // "1 diagnostic"
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * Joins markdown sections in order and drops whole sections from the end (never cutting one in half)
 * until the text fits, then names what was left out and, with `whereToSeeAll`, where to read it all.
 * Sections listed in `keep` are never dropped.
 */
export function fitSections(
  sections: readonly Section[],
  limit = GITHUB_TEXT_LIMIT,
  whereToSeeAll = "",
): string {
  const chosen = sections.map((s) => ({ ...s, included: true }));
  const note = () => {
    const left = chosen.filter((s) => !s.included);
    if (left.length === 0) return "";
    const named = left.map((s) => s.name).filter((n): n is string => n !== undefined);
    const unnamed = left.length - named.length;
    const what = [...named, ...(unnamed > 0 ? [plural(unnamed, "other section")] : [])].join(", ");
    return `\n\n_Left out to stay within GitHub's size limit: ${what}.${whereToSeeAll ? ` ${whereToSeeAll}` : ""}_`;
  };
  const render = () =>
    chosen
      .filter((s) => s.included)
      .map((s) => s.text)
      .join("\n\n");
  let text = render();
  for (let i = chosen.length - 1; i >= 0 && text.length + note().length > limit; i--) {
    const section = chosen[i];
    if (!section || section.keep) continue;
    section.included = false;
    text = render();
  }
  const out = `${text}${note()}`;
  return out.length > limit ? `${out.slice(0, limit - 40)}\n\n_…truncated at GitHub's size limit._` : out;
}

/**
 * Renders at most `max` items and a last line `…and N more <noun>`, so every long list ends the
 * same way. The noun is singular; it is made plural when N is not 1.
 */
export function capList<T>(
  items: readonly T[],
  max: number,
  render: (item: T) => string,
  noun = "",
): string[] {
  const shown = items.slice(0, max).map(render);
  if (items.length > max) shown.push(andMore(items.length - max, noun));
  return shown;
}

/** `…and 3 more contracts`: the tail every capped list uses. */
export function andMore(count: number, noun = ""): string {
  return noun === "" ? `…and ${count} more` : `…and ${count} more ${count === 1 ? noun : `${noun}s`}`;
}

/** A comma-separated list of at most `max` items, ending `and N more` when longer. */
export function capInline<T>(items: readonly T[], max: number, render: (item: T) => string): string {
  const shown = items.slice(0, max).map(render);
  return items.length > max ? `${shown.join(", ")} ${andMore(items.length - max)}` : shown.join(", ");
}
