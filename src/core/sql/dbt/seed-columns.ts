/**
 * The columns of dbt seeds, from the header line of their CSV files: a seed is a table whose columns nobody
 * declares elsewhere, so `SELECT *` over `ref('a_seed')` (or a union of seeds by name) needs them. Only the
 * header is read; readers may pass just the first line of a large seed.
 */
import { parse } from "yaml";
import type { DbtProject } from "./find-dbt-projects.js";

export type CsvHeader = { readonly columns: string[]; readonly problem?: string };

/**
 * The fields of a CSV's first record (RFC 4180: `"` quotes a field, `""` is a quote inside one, a quoted
 * field may hold commas and line breaks), after a UTF-8 BOM, ending at LF or CRLF. Names are trimmed.
 * An empty header, an empty column name or an unclosed quote gives no columns and a problem: a partial
 * list would be read as the seed's complete column list.
 */
export function readCsvHeader(text: string): CsvHeader {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const fields: string[] = [];
  let field = "";
  let i = 0;
  let ended = false;
  while (i < s.length && !ended) {
    const c = s[i];
    if (c === '"' && field.trim() === "") {
      field = "";
      i++;
      let closed = false;
      while (i < s.length) {
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        field += s[i];
        i++;
      }
      if (!closed) return { columns: [], problem: "its header has a quoted name that is never closed" };
      // Text after the closing quote up to the separator is kept, as lenient CSV readers do.
      while (i < s.length && s[i] !== "," && s[i] !== "\n" && s[i] !== "\r") field += s[i++];
      continue;
    }
    if (c === ",") {
      fields.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      ended = true;
    } else {
      field += c;
      i++;
    }
  }
  fields.push(field);
  const columns = fields.map((f) => f.trim());
  if (columns.length === 1 && columns[0] === "") return { columns: [], problem: "its header line is empty" };
  const blank = columns.indexOf("");
  if (blank >= 0) return { columns: [], problem: `column ${blank + 1} of its header has no name` };
  return { columns };
}

/** A project's seed folders: `seed-paths` (older projects `data-paths`) in dbt_project.yml, default `seeds`. */
export function seedPathsOf(project: Pick<DbtProject, "root"> & { seedPaths?: string[] }): string[] {
  return project.seedPaths ?? [project.root === "" ? "seeds" : `${project.root}/seeds`];
}

/**
 * The seed folders a dbt_project.yml text names, relative to the repository root (`projectRoot` is the
 * folder holding it, "" at the root). Used by readers that must pick seed files before projects are read.
 */
export function seedPathsInProjectFile(projectRoot: string, content: string): string[] {
  let data: unknown;
  try {
    data = parse(content, { maxAliasCount: 100, uniqueKeys: false });
  } catch {
    data = undefined;
  }
  const record = typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {};
  const raw = record["seed-paths"] ?? record["data-paths"];
  const dirs =
    Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === "string") ? raw : ["seeds"];
  return dirs.map((dir) => {
    const out: string[] = [];
    for (const part of [...projectRoot.split("/"), ...String(dir).split("/")]) {
      if (part === "" || part === ".") continue;
      if (part === "..") out.pop();
      else out.push(part);
    }
    return out.join("/");
  });
}

/** Whether `path` is a CSV file inside one of `dirs`. */
export function isSeedFile(path: string, dirs: readonly string[]): boolean {
  return /\.csv$/i.test(path) && dirs.some((dir) => dir === "" || path.startsWith(`${dir}/`));
}

/** A seed's name: its file's stem, lower-cased as dbt relation names are compared. */
export function seedNameOf(path: string): string {
  return (path.split("/").at(-1) ?? path).replace(/\.csv$/i, "").toLowerCase();
}

/** The text of a CSV up to the end of its first record (a line break outside quotes), for readers that keep only the header. */
export function firstCsvRecord(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) return text.slice(0, i);
  }
  return text;
}
