import { describe, expect, it } from "vitest";
import { checkVersionBump } from "../../../src/core/contracts/check-version-bump.js";
import { diffContractSets } from "../../../src/core/contracts/diff-contract-sets.js";
import { diffContracts } from "../../../src/core/contracts/diff-contracts.js";
import { contractFrom, dbt, odcs } from "./fixtures.js";

const PROPS =
  "      - name: order_id\n        physicalType: integer\n        required: true\n      - name: note\n        physicalType: text";
const breakingEdit = (t: string) => t.replace("      - name: note\n        physicalType: text", "");
const additiveEdit = (t: string) =>
  t.replace("physicalType: text", "physicalType: text\n      - name: extra\n        physicalType: text");

function verdict(from: string, to: string, edit: (t: string) => string) {
  const base = contractFrom(odcs({ version: from, properties: PROPS }));
  const head = contractFrom(edit(odcs({ version: to, properties: PROPS })));
  return checkVersionBump(base, head, diffContracts(base, head)).map((c) => [c.kind, c.class]);
}

describe("checkVersionBump", () => {
  it.each([
    ["1.2.0", "1.2.0", "breaking", breakingEdit, [["version_not_bumped", "breaking"]]],
    ["1.2.0", "1.3.0", "breaking", breakingEdit, [["version_not_bumped", "breaking"]]],
    ["1.2.0", "2.0.0", "breaking", breakingEdit, []],
    ["0.3.1", "0.4.0", "breaking", breakingEdit, []],
    ["0.3.1", "0.3.2", "breaking", breakingEdit, [["version_not_bumped", "breaking"]]],
    ["2.0.0", "1.0.0", "breaking", breakingEdit, [["version_not_bumped", "breaking"]]],
    ["1.2.0", "1.2.0", "additive", additiveEdit, [["version_not_bumped", "non-breaking"]]],
    ["1.2.0", "1.2.1", "additive", additiveEdit, []],
    ["1.2.0", "1.2.0", "no", (t: string) => t, []],
  ])("%s → %s with a %s change gives %j", (from, to, _label, edit, expected) => {
    expect(verdict(from, to, edit)).toEqual(expected);
  });

  it("names the version to set and points at the version line", () => {
    const base = contractFrom(odcs({ version: "1.2.0", properties: PROPS }));
    const headText = breakingEdit(odcs({ version: "1.2.0", properties: PROPS }));
    const head = contractFrom(headText);
    const [finding] = checkVersionBump(base, head, diffContracts(base, head));
    expect(finding?.message).toContain("version: 2.0.0");
    expect(headText.split("\n")[(finding?.line ?? 0) - 1]).toBe("version: 1.2.0");
  });

  it("skips dbt model contracts, which carry no version", () => {
    const cols = "      - name: a\n        data_type: int\n      - name: b\n        data_type: int";
    const base = contractFrom(dbt(cols), "m.yml");
    const head = contractFrom(dbt("      - name: a\n        data_type: int"), "m.yml");
    expect(checkVersionBump(base, head, diffContracts(base, head))).toEqual([]);
  });
});

describe("diffContractSets", () => {
  it("pairs contracts by id, diffs them and applies the version rule", () => {
    const base = [contractFrom(odcs({ properties: PROPS }))];
    const head = [contractFrom(breakingEdit(odcs({ properties: PROPS })))];
    expect(diffContractSets(base, head).map((c) => c.kind)).toEqual(["column_removed", "version_not_bumped"]);
    expect(diffContractSets(base, []).map((c) => c.kind)).toEqual(["dataset_removed"]);
    expect(diffContractSets(base, base)).toEqual([]);
  });
});
