import { describe, expect, it } from "vitest";
import { analyzeFile, MAX_FILE_CHARS } from "../../../src/core/lineage/analyze-file.js";
import {
  MAX_PARSED_CHARS_PER_FILE,
  MAX_STATEMENT_CHARS,
  PARSE_ATTEMPT_CHARS,
} from "../../../src/core/sql/parse-statement.js";

const analyze = (text: string, parseBudgetChars?: number) =>
  analyzeFile({
    path: "models/big.sql",
    text,
    dialect: "postgres",
    role: { kind: "plain", modelName: "big" },
    key: "k",
    ...(parseBudgetChars === undefined ? {} : { parseBudgetChars }),
  });

function statements(count: number): string {
  return Array.from({ length: count }, (_, i) => `insert into t${i} select a${i}, b from s${i};\n`).join("");
}

describe("analysis limits report themselves", () => {
  it("skips a model file over 2 MiB with an error, instead of an empty result", () => {
    const text = `select ${"a, ".repeat(MAX_FILE_CHARS / 3)} b from t`;

    const analysis = analyze(text);

    expect(analysis.tables).toEqual([]);
    expect(analysis.diagnostics).toEqual([
      expect.objectContaining({ file: "models/big.sql", line: 1, severity: "error" }),
    ]);
    expect(analysis.diagnostics[0]?.message).toContain(
      "more than the 2097152 (2 MiB) Backflow analyses per file",
    );
  });

  it("gives one huge statement table-level lineage and says why", () => {
    const columns = Array.from({ length: 12_000 }, (_, i) => `a${i} + 1 as c${i}`).join(", ");
    const text = `create table wide as select ${columns} from src`;
    expect(text.length).toBeGreaterThan(MAX_STATEMENT_CHARS);

    const analysis = analyze(text);

    expect(analysis.tables.map((t) => [t.id, t.upstream])).toEqual([["wide", ["src"]]]);
    expect(analysis.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining(`more than the ${MAX_STATEMENT_CHARS} Backflow parses in one statement`),
    ]);
  });

  it("parses up to the file's budget, then gives the rest table-level lineage with one diagnostic", () => {
    // The default budget is MAX_PARSED_CHARS_PER_FILE; a small one keeps the test fast.
    expect(MAX_PARSED_CHARS_PER_FILE).toBe(500_000);
    // Each statement costs its length plus the parser's fixed cost per attempt.
    const budget = 20 * (statements(1).length + PARSE_ATTEMPT_CHARS) + 10;
    const count = 70;

    const analysis = analyze(statements(count), budget);

    expect(analysis.tables).toHaveLength(count);
    const last = analysis.tables.at(-1);
    expect(last?.upstream).toEqual([`s${count - 1}`]);
    expect(last?.columns ?? []).toEqual([]);
    expect(analysis.tables[0]?.columns.map((c) => c.name)).toEqual(["a0", "b"]);
    const spent = analysis.diagnostics.filter((d) => d.message.includes("parse budget"));
    expect(spent).toHaveLength(1);
    expect(spent[0]?.message).toBe(
      `column-level lineage stopped at line 21: the file's parse budget (${budget} characters of SQL) was spent, so 50 later statement(s) have table-level lineage only`,
    );
  });
});
