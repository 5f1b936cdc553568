/** The `{% macro %}` definitions of a dbt project's macro files, parsed on first use, with a cache key per model. */
import { sha1Hex } from "../sha1-hex.js";
import { PACKAGE_DIRS } from "./find-dbt-projects.js";
import { lexTemplate } from "./lex-template.js";
import { parseTemplate, type TemplateNode } from "./parse-template.js";

export type MacroNode = Extract<TemplateNode, { type: "macro" }>;

/** One macro file: its path, text and Git blob SHA (or content hash). */
export type MacroFile = { readonly path: string; readonly text: string; readonly sha: string };

type Entry = { readonly file: number; readonly words: ReadonlySet<string> };

const MACRO_START = /\{%-?\s*macro\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/g;

function wordsOf(text: string): Set<string> {
  return new Set(text.match(WORD) ?? []);
}

/** Words inside `{{ }}` and `{% %}` tags: the only places a template can call a macro. */
function jinjaWordsOf(text: string): Set<string> {
  const words = new Set<string>();
  let at = text.indexOf("{");
  while (at >= 0 && at < text.length - 1) {
    const next = text[at + 1];
    if (next !== "{" && next !== "%") {
      at = text.indexOf("{", at + 1);
      continue;
    }
    const close = text.indexOf(next === "{" ? "}}" : "%}", at + 2);
    const end = close < 0 ? text.length : close;
    for (const word of text.slice(at + 2, end).match(WORD) ?? []) words.add(word);
    at = text.indexOf("{", end);
  }
  return words;
}

/**
 * A project's macros by name. The index is a cheap scan of the files; a file is parsed only when one of
 * its macros is called. When two files define the same name, the first path in sort order wins.
 */
export class MacroLibrary {
  private readonly files: readonly MacroFile[];
  private readonly entries = new Map<string, Entry>();
  /** `default__x`, `snowflake__x` are reachable from the word `x` (a dispatch by name). */
  private readonly bySuffix = new Map<string, string[]>();
  private readonly parsed = new Map<number, Map<string, MacroNode>>();
  /** Cache key by the sorted names a model calls directly. */
  private readonly keys = new Map<string, string>();
  /** `reachesWord` answers by words and direct calls. */
  private readonly reaches = new Map<string, boolean>();

  constructor(files: readonly MacroFile[]) {
    this.files = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    this.files.forEach((file, index) => {
      this.index(file.text, index);
    });
  }

  /** An empty library: no project macros. */
  static readonly EMPTY = new MacroLibrary([]);

  /** Macro texts without paths (render-time only: their cache key is their content). */
  static fromSources(sources: readonly string[]): MacroLibrary {
    return new MacroLibrary(sources.map((text, i) => ({ path: String(i), text, sha: sha1Hex(text) })));
  }

  get size(): number {
    return this.entries.size;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The parsed definition of `name`, or undefined when the project has no such macro. */
  lookup(name: string): MacroNode | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    let nodes = this.parsed.get(entry.file);
    if (!nodes) {
      nodes = new Map();
      const text = this.files[entry.file]?.text ?? "";
      for (const node of parseTemplate(lexTemplate(text).segments).nodes) {
        if (node.type === "macro" && !nodes.has(node.name)) nodes.set(node.name, node);
      }
      this.parsed.set(entry.file, nodes);
    }
    return nodes.get(name);
  }

  /**
   * A key that changes whenever a macro `text` can reach (by name, directly or through other macros) is
   * added, removed or edited; "" when it reaches none. Conservative: any word inside a Jinja tag of the
   * model, or anywhere in a reached macro, that names a macro counts (`x` also reaches `default__x`).
   */
  keyFor(text: string): string {
    if (this.entries.size === 0) return "";
    const direct = this.namesReached(jinjaWordsOf(text));
    if (direct.length === 0) return "";
    // Models tend to call the same few macros: one closure and hash per distinct set of direct calls.
    const signature = direct.sort().join(",");
    let key = this.keys.get(signature);
    if (key === undefined) {
      key = this.closureKey(direct);
      this.keys.set(signature, key);
    }
    return key;
  }

  /**
   * Whether `text`'s Jinja, or any macro it can reach, mentions one of `words` (e.g. `graph`): such a model's
   * render depends on more than its macros, and its cache key must say so. Conservative, like `keyFor`.
   */
  reachesWord(text: string, words: ReadonlySet<string>): boolean {
    const own = jinjaWordsOf(text);
    for (const word of words) if (own.has(word)) return true;
    if (this.entries.size === 0) return false;
    const direct = this.namesReached(own);
    if (direct.length === 0) return false;
    const signature = `${[...words].sort().join(",")}\u0000${direct.sort().join(",")}`;
    let found = this.reaches.get(signature);
    if (found === undefined) {
      found = [...this.closure(direct)].some((name) => {
        const entry = this.entries.get(name) as Entry;
        for (const word of words) if (entry.words.has(word)) return true;
        return false;
      });
      this.reaches.set(signature, found);
    }
    return found;
  }

  /** Macro names a set of words names: each word itself, and `<prefix>__<word>` dispatch targets. */
  private namesReached(words: Iterable<string>): string[] {
    const names: string[] = [];
    for (const word of words) {
      if (this.entries.has(word)) names.push(word);
      for (const name of this.bySuffix.get(word) ?? []) names.push(name);
    }
    return names;
  }

  private closure(direct: readonly string[]): Set<string> {
    const reached = new Set<string>();
    const pending = [...direct];
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (reached.has(name)) continue;
      reached.add(name);
      pending.push(...this.namesReached((this.entries.get(name) as Entry).words));
    }
    return reached;
  }

  private closureKey(direct: readonly string[]): string {
    const reached = this.closure(direct);
    const parts = [...reached].sort().map((name) => {
      const file = this.files[(this.entries.get(name) as Entry).file] as MacroFile;
      return `${name}@${file.path}@${file.sha}`;
    });
    return sha1Hex(parts.join("\n"));
  }

  private index(text: string, file: number): void {
    const starts = [...text.matchAll(MACRO_START)];
    starts.forEach((match, i) => {
      const name = match[1] as string;
      if (this.entries.has(name)) return;
      const end = starts[i + 1]?.index ?? text.length;
      this.entries.set(name, { file, words: wordsOf(text.slice(match.index, end)) });
      const split = name.indexOf("__");
      if (split > 0) {
        const suffix = name.slice(split + 2);
        this.bySuffix.set(suffix, [...(this.bySuffix.get(suffix) ?? []), name]);
      }
    });
  }
}

/**
 * The library of a project: every `.sql` file under its macro paths (`macro-paths`, default `macros/`),
 * outside installed packages.
 */
export function macroLibraryOf(args: {
  readonly macroPaths: readonly string[];
  readonly files: ReadonlyMap<string, string>;
  readonly shas?: ReadonlyMap<string, string>;
}): MacroLibrary {
  const { macroPaths, files, shas } = args;
  const found: MacroFile[] = [];
  for (const [path, text] of files) {
    if (!/\.sql$/i.test(path) || !macroPaths.some((dir) => dir === "" || path.startsWith(`${dir}/`)))
      continue;
    if (path.split("/").some((part) => PACKAGE_DIRS.has(part)) || !text.includes("macro")) continue;
    found.push({ path, text, sha: shas?.get(path) ?? sha1Hex(text) });
  }
  return found.length === 0 ? MacroLibrary.EMPTY : new MacroLibrary(found);
}
