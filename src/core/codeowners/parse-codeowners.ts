/** Where GitHub looks for a CODEOWNERS file, in the order it looks. */
export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

export type CodeownersRule = {
  readonly pattern: string;
  /** `@user`, `@org/team` or an email; empty when the rule removes owners. */
  readonly owners: readonly string[];
  readonly line: number;
  readonly matcher: RegExp;
};

/**
 * Parses a CODEOWNERS file into rules (comments and blank lines skipped). Patterns follow GitHub's
 * gitignore-style rules: a leading or inner `/` anchors to the root, a trailing `/` means a
 * directory, `*` stays within a path segment, `**` spans them, and `dir/*` does not reach nested files.
 */
export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.replace(/(^|\s)#.*$/, "").trim();
    if (content === "") return;
    const [pattern, ...rest] = content.split(/\s+/);
    if (pattern === undefined || pattern.startsWith("!")) return;
    const owners = rest.filter((o) => o.startsWith("@") || o.includes("@"));
    rules.push({ pattern, owners, line: index + 1, matcher: compilePattern(pattern.replace(/\\#/g, "#")) });
  });
  return rules;
}

function translate(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const rest = body.slice(i);
    if (rest.startsWith("**/")) {
      out += "(?:.*/)?";
      i += 2;
    } else if (rest.startsWith("/**")) {
      out += "(?:/.*)?";
      i += 2;
    } else if (rest.startsWith("**")) {
      out += ".*";
      i += 1;
    } else if (body[i] === "*") out += "[^/]*";
    else if (body[i] === "?") out += "[^/]";
    else out += (body[i] ?? "").replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return out;
}

function compilePattern(pattern: string): RegExp {
  const dirOnly = pattern.endsWith("/");
  const trimmed = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  const anchored = pattern.startsWith("/") || trimmed.includes("/");
  const prefix = anchored ? "^" : "^(?:.*/)?";
  let suffix = "(?:/.*)?$";
  if (dirOnly) suffix = "/.*$";
  else if (trimmed.endsWith("/*") || trimmed.endsWith("/**")) suffix = "$";
  return new RegExp(`${prefix}${translate(trimmed)}${suffix}`);
}

/** The owners of `path`: the last matching rule wins (an owner-less rule means nobody). */
export function codeownersOf(rules: readonly CodeownersRule[], path: string): string[] {
  const clean = path.replace(/^\/+/, "");
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i];
    if (rule?.matcher.test(clean)) return [...rule.owners];
  }
  return [];
}

/** The CODEOWNERS file GitHub would use among `files` (first of CODEOWNERS_PATHS present), parsed. */
export function findCodeowners(files: ReadonlyMap<string, string>): CodeownersRule[] | undefined {
  for (const path of CODEOWNERS_PATHS) {
    const text = files.get(path);
    if (text !== undefined) return parseCodeowners(text);
  }
  return undefined;
}
