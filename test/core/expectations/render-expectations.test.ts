import { describe, expect, it } from "vitest";
import { parseExpectations } from "../../../src/core/expectations/parse-expectations.js";
import {
  renderVerdictComment,
  renderWatchingComment,
} from "../../../src/core/expectations/render-expectations.js";

const spec = {
  ...(parseExpectations("```expects\n- metric: volume(orders) > 10 within 1d\n```").expectations[0] ??
    ({} as never)),
  tableId: "orders",
  fingerprint: "f1",
};
const verdict = {
  state: "violated" as const,
  reason: "did not hold by the deadline",
  evidence: [{ observedAt: "2026-11-12T00:00:00Z", value: 3, holds: false }],
};

describe("expectation comments", () => {
  it("names the revert PR, and says under rollback: auto that Backflow will merge it when clean and green", () => {
    const body = renderVerdictComment({
      id: "a/b#1:2",
      expectation: spec,
      verdict,
      revert: { number: 5, merged: false },
      autoRequested: true,
    });
    expect(body).toContain("❌ **Expectation violated**: `volume(orders) > 10 within 1d`");
    expect(body).toContain("| 2026-11-12T00:00:00Z | 3 | **no** |");
    expect(body).toContain("Opened #5 to revert this pull request");
    expect(body).toContain("`rollback: auto` is set: Backflow merges it once its impact check is green");
    expect(
      renderVerdictComment({ id: "y", expectation: spec, verdict, revert: { number: 5, merged: false } }),
    ).not.toContain("rollback: auto");
    expect(
      renderVerdictComment({ id: "x", expectation: spec, verdict, revert: { problem: "a file was added" } }),
    ).toContain("No revert pull request was opened: a file was added");
  });

  it("lists watched expectations and the lines it could not use", () => {
    const body = renderWatchingComment({ pr: 4, bound: [spec], problems: [{ line: 9, message: "bad" }] });
    expect(body.startsWith("<!-- backflow:expectations 4 -->")).toBe(true);
    expect(body).toContain("Watching 1 expectation**");
    expect(body).toContain("- line 9: bad");
  });
});
