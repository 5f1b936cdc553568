import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { ConfigError } from "../../../src/core/errors.js";

function problemsOf(text: string) {
  try {
    parseConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("fills every default for an empty or missing file", () => {
    for (const text of [undefined, "", "   \n"]) {
      const config = parseConfig(text);
      expect(config.dialect).toBe("postgres");
      expect(config.commands.permission).toBe("write");
      expect(config.labels.drift).toBe("backflow:drift");
      expect(config.impact.breakingConclusion).toBe("action_required");
    }
  });

  it("keeps values the repository sets and defaults the rest of a section", () => {
    const config = parseConfig("dialect: bigquery\nlabels:\n  drift: data-drift\n");
    expect(config.dialect).toBe("bigquery");
    expect(config.labels).toEqual({
      drift: "data-drift",
      proposal: "backflow:proposal",
      breaking: "backflow:breaking",
    });
  });

  it("reports every problem at once with the exact key and what is allowed", () => {
    const problems = problemsOf(
      "dialect: oracle\nmodels: {pathz: [a]}\nsignals:\n  thresholds:\n    - {dataset: x, metric: y}\nowners:\n  x: [nobody]\n",
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: "dialect", message: expect.stringContaining('"bigquery"') },
        { path: "models", message: expect.stringContaining('"pathz"') },
        { path: "signals.thresholds.0", message: expect.stringContaining("min, max, relative or zscore") },
        { path: "owners.x.0", message: expect.stringContaining("@user, @org/team") },
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it("reports YAML syntax errors with their line instead of throwing a parser error", () => {
    const problems = problemsOf("dialect: postgres\nmodels:\n  paths: [a\n");
    expect(problems[0]?.path).toMatch(/^line \d+$/);
  });

  it("refuses alias bombs", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(", ")}]`,
      );
    expect(problemsOf(bomb.join("\n"))[0]?.message).toMatch(/alias/i);
  });
});
