import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyHunks, parsePatch } from "../../../src/core/proposals/apply-hunks.js";
import { unifiedDiff } from "../../../src/core/proposals/unified-diff.js";

describe("unifiedDiff", () => {
  it("prints one hunk with three lines of context around a change", () => {
    const before = "a\nb\nc\nd\ne\nf\ng\nh\n";
    const after = "a\nb\nc\nd\nE\nf\ng\nh\n";
    expect(unifiedDiff(before, after, "m.sql")).toBe(
      "--- a/m.sql\n+++ b/m.sql\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n",
    );
  });

  it("splits distant changes into separate hunks and merges near ones", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const far = [...lines];
    far[1] = "x";
    far[18] = "y";
    expect(unifiedDiff(`${lines.join("\n")}\n`, `${far.join("\n")}\n`, "f").match(/^@@/gm)).toHaveLength(2);
    const near = [...lines];
    near[5] = "x";
    near[10] = "y";
    expect(unifiedDiff(`${lines.join("\n")}\n`, `${near.join("\n")}\n`, "f").match(/^@@/gm)).toHaveLength(1);
  });

  it("is empty for equal texts and marks a missing final newline", () => {
    expect(unifiedDiff("a\n", "a\n", "f")).toBe("");
    expect(unifiedDiff("a\n", "a", "f")).toBe(
      "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-a\n+a\n\\ No newline at end of file\n",
    );
  });

  it("shows insertions into an empty file against /dev/null", () => {
    expect(unifiedDiff("", "x\n", "new.yml")).toBe("--- /dev/null\n+++ b/new.yml\n@@ -0,0 +1,1 @@\n+x\n");
  });

  it("produces patches that apply forwards and backwards exactly", () => {
    const text = fc
      .array(fc.constantFrom("a", "b", "c", "select 1", ""), { maxLength: 30 })
      .map((ls) => ls.map((l) => `${l}\n`).join(""));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const hunks = parsePatch(unifiedDiff(before, after, "f"));
        const forward = applyHunks(before, hunks);
        const backward = applyHunks(after, hunks, { reverse: true });
        expect(forward.ok && forward.text).toBe(after);
        expect(backward.ok && backward.text).toBe(before);
      }),
      { numRuns: 300 },
    );
  });
});
