/** Reads the `sources:` blocks of one dbt properties file, with the line of every table entry. */
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLMap } from "yaml";
import type { DbtDiagnostic, DbtSourceTable } from "./find-dbt-projects.js";

export type ParsedYaml = { readonly doc: Document; readonly lineOf: (offset: number) => number };

/** Parses YAML without throwing; syntax errors are appended to `diagnostics` with their line. */
export function parseYamlFile(file: string, content: string, diagnostics: DbtDiagnostic[]): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const lineOf = (offset: number): number => Math.max(1, lineCounter.linePos(offset).line);
  for (const error of doc.errors) {
    const line = lineOf(error.pos[0]);
    const message = `${file}:${line}: ${error.message.split("\n")[0] ?? "invalid YAML"}`;
    diagnostics.push({ file, line, severity: "error", message });
  }
  return { doc, lineOf };
}

/** Source tables declared in `doc`; malformed entries are skipped with a warning naming the line. */
export function readSources(
  { doc, lineOf }: ParsedYaml,
  file: string,
): { tables: DbtSourceTable[]; diagnostics: DbtDiagnostic[] } {
  const tables: DbtSourceTable[] = [];
  const diagnostics: DbtDiagnostic[] = [];
  const warn = (node: { range?: readonly number[] | null } | null | undefined, message: string): void => {
    const line = lineOf(node?.range?.[0] ?? 0);
    diagnostics.push({ file, line, severity: "warning", message: `${file}:${line}: ${message}` });
  };
  const root = doc.contents;
  if (!isMap(root)) return { tables, diagnostics };
  const sources = root.get("sources", true);
  if (!isSeq(sources)) {
    if (sources !== undefined && sources !== null) warn(root, '"sources" must be a list');
    return { tables, diagnostics };
  }
  for (const source of sources.items) {
    if (!isMap(source)) continue;
    const sourceName = text(source, "name");
    if (!sourceName) {
      warn(source, 'a source has no "name"; it was skipped');
      continue;
    }
    const entries = source.get("tables", true);
    if (!isSeq(entries)) continue;
    for (const entry of entries.items) {
      if (!isMap(entry) || !text(entry, "name")) {
        warn(
          isMap(entry) ? entry : source,
          `a table of source "${sourceName}" has no "name"; it was skipped`,
        );
        continue;
      }
      tables.push({
        sourceName,
        tableName: text(entry, "name") ?? "",
        ...optional("identifier", text(entry, "identifier")),
        ...optional("database", text(source, "database")),
        ...optional("schema", text(source, "schema")),
        columns: readColumns(entry),
        file,
        line: lineOf(entry.range?.[0] ?? 0),
      });
    }
  }
  return { tables, diagnostics };
}

function readColumns(table: YAMLMap): DbtSourceTable["columns"] {
  const columns = table.get("columns", true);
  if (!isSeq(columns)) return [];
  return columns.items.flatMap((column) => {
    if (!isMap(column)) return [];
    const name = text(column, "name");
    if (!name) return [];
    const dataType = text(column, "data_type");
    return [dataType ? { name, dataType } : { name }];
  });
}

function text(map: YAMLMap, key: string): string | undefined {
  const node = map.get(key, true);
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  const value = String(node.value).trim();
  return value.length > 0 ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
