import picomatch from "picomatch";

type Matcher = (path: string) => boolean;

const NONE: Matcher = () => false;
const MAX_MATCHERS = 64;
// Compiling globs costs more than matching a whole repository's paths, and a config's globs rarely change.
const compiled = new Map<string, Matcher>();

/** A matcher for any of `patterns` (dotfiles included), compiled once per distinct pattern list. */
export function pathMatcher(patterns: readonly string[]): Matcher {
  if (patterns.length === 0) return NONE;
  const key = JSON.stringify(patterns);
  let matcher = compiled.get(key);
  if (!matcher) {
    if (compiled.size >= MAX_MATCHERS) compiled.clear();
    matcher = picomatch([...patterns], { dot: true });
    compiled.set(key, matcher);
  }
  return matcher;
}
