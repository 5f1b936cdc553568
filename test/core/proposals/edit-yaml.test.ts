import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setScalar } from "../../../src/core/proposals/contract-rules.js";
import { editYaml } from "../../../src/core/proposals/edit-yaml.js";
import { exampleRepo } from "./fixtures.js";

const yamlFiles = [...exampleRepo().files].filter(([path]) => /\.ya?ml$/.test(path));

describe("editYaml on the example repository's YAML", () => {
  it.each(yamlFiles.map(([path, text]) => ({ path, text })))(
    "leaves $path byte for byte when nothing changes",
    ({ text }) => {
      expect(editYaml(text, () => {})).toBe(text);
    },
  );

  it("changes only the edited line, whatever the new version", () => {
    const text = exampleRepo().files.get("contracts/orders.odcs.yaml") ?? "";
    const before = text.split("\n");
    const versionLine = before.findIndex((l) => l.startsWith("version:"));
    fc.assert(
      fc.property(fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)), ([a, b, c]) => {
        const after = editYaml(text, (doc) => setScalar(doc, ["version"], `${a}.${b}.${c}`)).split("\n");
        expect(after).toHaveLength(before.length);
        expect(after[versionLine]).toBe(`version: ${a}.${b}.${c}`);
        expect(after.filter((line, i) => i !== versionLine && line !== before[i])).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});
