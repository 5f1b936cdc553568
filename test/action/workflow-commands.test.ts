import { describe, expect, it } from "vitest";
import { readInputs } from "../../src/action/action-inputs.js";
import { failsStep } from "../../src/action/decide-exit.js";
import { fitBytes } from "../../src/action/runner-files.js";
import { commentBody } from "../../src/action/sticky-comment.js";
import { ANNOTATIONS_PER_LEVEL, workflowAnnotations } from "../../src/action/workflow-commands.js";
import type { ImpactAnnotation } from "../../src/core/render/render-impact-annotations.js";

const annotation = (level: ImpactAnnotation["annotation_level"], i: number): ImpactAnnotation => ({
  path: `models/m${i}.sql`,
  start_line: i,
  end_line: i,
  annotation_level: level,
  title: `t${i}`,
  message: `m${i}`,
});

describe("workflow command annotations", () => {
  it("escapes message data and property values so a column name cannot end the command", () => {
    const [line] = workflowAnnotations(
      [
        {
          path: "models/a,b:c.sql",
          start_line: 3,
          end_line: 4,
          annotation_level: "warning",
          title: "breaking: x, y",
          message: "100% gone\r\n::error::injected",
        },
      ],
      "pipelines/",
    );
    expect(line).toBe(
      "::warning file=pipelines/models/a%2Cb%3Ac.sql,line=3,endLine=4,title=breaking%3A x%2C y::100%25 gone%0D%0A::error::injected",
    );
  });

  it("prints at most 10 of each level, then one notice with how many were left out", () => {
    const many = [
      ...Array.from({ length: 15 }, (_, i) => annotation("failure", i)),
      ...Array.from({ length: 3 }, (_, i) => annotation("notice", 100 + i)),
    ];
    const lines = workflowAnnotations(many);
    expect(lines.filter((l) => l.startsWith("::error "))).toHaveLength(ANNOTATIONS_PER_LEVEL);
    expect(lines.filter((l) => l.startsWith("::notice file="))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^::notice title=Backflow::5 more annotation\(s\) left out/);
  });
});

describe("fail-on", () => {
  const change = (cls: "breaking" | "unknown" | "non-breaking", severity: "warn" | "fail" = "fail") => ({
    class: cls,
    severity,
  });
  const report = (changes: ReturnType<typeof change>[], blocking: boolean) =>
    ({
      verdict: changes.some((c) => c.class !== "non-breaking") ? "breaking" : "non-breaking",
      blocking,
      changes,
      contractChanges: [],
    }) as unknown as Parameters<typeof failsStep>[0];

  it.each([
    ["breaking", [change("breaking")], true, 0, true],
    ["breaking", [change("breaking", "warn")], false, 0, false],
    ["breaking", [change("non-breaking")], false, 0, false],
    ["breaking", [change("non-breaking")], false, 2, true],
    ["unknown", [change("breaking")], true, 0, false],
    ["unknown", [change("unknown")], true, 0, true],
    ["unknown", [change("unknown", "warn")], false, 0, false],
    ["never", [change("unknown")], true, 3, false],
  ] as const)(
    "fail-on %s with %j (blocking %s, %i expects problems) fails: %s",
    (failOn, changes, blocking, problems, fails) => {
      expect(failsStep(report([...changes], blocking), failOn, problems)).toBe(fails);
    },
  );
});

describe("inputs and runner files", () => {
  it("reads INPUT_ variables with defaults, and names the input that is wrong", () => {
    expect(
      readInputs({ "INPUT_FAIL-ON": "never", INPUT_BASE: " ", INPUT_PATH: "pipelines/shop" }),
    ).toMatchObject({
      command: "impact",
      "fail-on": "never",
      path: "pipelines/shop",
      format: "markdown",
    });
    expect(readInputs({}).base).toBeUndefined();
    expect(() => readInputs({ INPUT_COMMAND: "deploy" })).toThrow(/^input command: /);
  });

  it("cuts a job summary to 1 MiB at a character boundary, with a note", () => {
    const fitted = fitBytes("é".repeat(600_000));
    expect(Buffer.byteLength(fitted, "utf8")).toBeLessThanOrEqual(1024 * 1024);
    expect(fitted).not.toContain("\uFFFD");
    expect(fitted).toMatch(/job summary size limit/);
    expect(fitBytes("short")).toBe("short");
  });

  it("keeps a comment within GitHub's 65,536 characters, marker first", () => {
    const body = commentBody("<!-- m -->", "x".repeat(70_000));
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith("<!-- m -->\n")).toBe(true);
  });
});
