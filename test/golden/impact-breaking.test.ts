import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderBreakingExample } from "./render-breaking-example.js";

const GOLDEN = new URL("./impact-breaking.md", import.meta.url);

describe("impact check run for the example's breaking change", () => {
  it("renders exactly the reviewed golden markdown", () => {
    expect(renderBreakingExample()).toBe(readFileSync(GOLDEN, "utf8"));
  });
});
