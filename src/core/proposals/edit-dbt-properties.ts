import { isMap, isSeq, parseDocument } from "yaml";
import type { RepoFiles } from "../repo-files.js";
import type { Finding } from "../triage/triage-signal.js";
import { appendTo, indexByName, removeFrom, testName } from "./contract-rules.js";
import { editYaml } from "./edit-yaml.js";
import type { ContractIntent, Direction } from "./propose-contract-change.js";

function findModel(files: RepoFiles, model: string): { file: string; text: string } | undefined {
  for (const [file, text] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!/\.ya?ml$/i.test(file) || !/^models:/m.test(text)) continue;
    try {
      if (indexByName(parseDocument(text), ["models"], model) !== undefined) return { file, text };
    } catch {
      // A file that is not YAML is not the model's properties file.
    }
  }
  return undefined;
}

/** Adds (or removes, when relaxing) a `not_null` / `unique` data test on the model's column in its dbt properties YAML. */
export function editDbtProperties(input: {
  files: RepoFiles;
  finding: Finding;
  intent: ContractIntent;
  direction: Direction;
}): { file: string; text: string; after: string; summary?: string } | undefined {
  const { finding, intent } = input;
  const column = finding.column;
  if (!finding.tableId || !column || intent === "latency") return undefined;
  const found = findModel(input.files, finding.tableId);
  if (!found) return undefined;
  const test = intent === "not-null" ? "not_null" : "unique";
  let summary: string | undefined;
  const after = editYaml(found.text, (doc) => {
    const m = indexByName(doc, ["models"], finding.tableId ?? "") ?? 0;
    const c = indexByName(doc, ["models", m, "columns"], column);
    if (c === undefined) {
      if (input.direction === "relax") return;
      appendTo(doc, ["models", m, "columns"], { name: column, data_tests: [test] });
      summary = `adds column ${column} with a ${test} data test`;
      return;
    }
    const columnNode = doc.getIn(["models", m, "columns", c], true);
    const key =
      isMap(columnNode) && columnNode.has("tests") && !columnNode.has("data_tests") ? "tests" : "data_tests";
    const path = ["models", m, "columns", c, key];
    const tests = doc.getIn(path, true);
    const has = isSeq(tests) && tests.items.some((t) => testName(t) === test);
    if (input.direction === "relax") {
      if (has && removeFrom(doc, path, (t) => testName(t) === test) > 0)
        summary = `removes the ${test} data test of ${column}`;
      return;
    }
    if (has) return;
    appendTo(doc, path, test);
    summary = `adds a ${test} data test to ${column}`;
  });
  return { ...found, after, summary };
}
