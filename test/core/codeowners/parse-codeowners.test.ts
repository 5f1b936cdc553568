import { describe, expect, it } from "vitest";
import {
  codeownersOf,
  findCodeowners,
  parseCodeowners,
} from "../../../src/core/codeowners/parse-codeowners.js";

const FILE = `# comment
*                 @org/everyone
*.sql             @sql-team   # trailing comment
/models/          @models-root
docs/*            @docs-writer
apps/             @apps-owner
**/logs           @log-owner
models/legacy/**  @legacy
/models/legacy/keep.sql
`;

describe("parseCodeowners", () => {
  const rules = parseCodeowners(FILE);

  it("skips comments and blank lines and keeps line numbers", () => {
    expect(rules.map((r) => [r.pattern, r.line])).toEqual([
      ["*", 2],
      ["*.sql", 3],
      ["/models/", 4],
      ["docs/*", 5],
      ["apps/", 6],
      ["**/logs", 7],
      ["models/legacy/**", 8],
      ["/models/legacy/keep.sql", 9],
    ]);
  });

  it.each([
    ["README.md", ["@org/everyone"]],
    ["etl/load.sql", ["@sql-team"]],
    ["models/staging/stg_orders.sql", ["@models-root"]],
    ["src/models/x.sql", ["@sql-team"]],
    ["docs/guide.md", ["@docs-writer"]],
    ["docs/deep/guide.md", ["@org/everyone"]],
    ["web/apps/main.ts", ["@apps-owner"]],
    ["a/b/logs/today.txt", ["@log-owner"]],
    ["models/legacy/x/y.sql", ["@legacy"]],
    ["models/legacy/keep.sql", []],
  ])("gives %s to %j (last matching rule wins)", (path, owners) => {
    expect(codeownersOf(rules, path)).toEqual(owners);
  });

  it("finds .github/CODEOWNERS before the root and docs/ ones", () => {
    const files = new Map([
      ["docs/CODEOWNERS", "* @docs"],
      ["CODEOWNERS", "* @root"],
      [".github/CODEOWNERS", "* @github"],
    ]);
    expect(codeownersOf(findCodeowners(files) ?? [], "x")).toEqual(["@github"]);
    files.delete(".github/CODEOWNERS");
    expect(codeownersOf(findCodeowners(files) ?? [], "x")).toEqual(["@root"]);
    expect(findCodeowners(new Map())).toBeUndefined();
  });

  it("keeps emails and escaped hashes", () => {
    const [rule] = parseCodeowners("\\#notes.md data@example.com @team/x");
    expect(rule?.owners).toEqual(["data@example.com", "@team/x"]);
    expect(codeownersOf(parseCodeowners("\\#notes.md @a"), "#notes.md")).toEqual(["@a"]);
  });
});
