import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { ConfigSchema } from "../../../src/core/config/schema.js";

describe("review and canary configuration", () => {
  it.each([
    [{}, "monthly", { window: "3d", quiet: false }],
    [{ review: "quarterly", canary: "off" }, "quarterly", "off"],
    [{ review: "off", canary: { quiet: true } }, "off", { window: "3d", quiet: true }],
    [{ canary: { window: "12h" } }, "monthly", { window: "12h", quiet: false }],
  ])("%j → review %j, canary %j", (input, review, canary) => {
    const config = ConfigSchema.parse(input);
    expect(config.review).toBe(review);
    expect(config.canary).toEqual(canary);
  });

  it("reads `off` from YAML as the word, and refuses a bad window with its path", () => {
    expect(ConfigSchema.parse({ canary: "off" }).canary).toBe("off");
    const ok = parseConfig("review: weekly\ncanary: off\n");
    expect(ok.review).toBe("weekly");
    expect(ok.canary).toBe("off");
    expect(() => parseConfig("canary:\n  window: soon\n")).toThrow(/canary/);
    const bad = ConfigSchema.safeParse({ canary: { window: "three days" }, review: "daily" });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toContain("review");
    expect(paths.some((p) => p.startsWith("canary"))).toBe(true);
  });
});
