import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readLocalAnnotations } from "../../src/cli/commands/annotate.js";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIO } from "./capture-io.js";

const capture = (cwd: string) => captureIO(cwd, { USER: "ana" });

const dir = mkdtempSync(join(tmpdir(), "backflow-annotate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("backflow annotate", () => {
  it("appends annotations to .backflow/annotations.yml, keeping what is there", async () => {
    const io = capture(dir);
    expect(
      await runCli(["annotate", "orders", "seasonality", "2026-11-20..2026-12-01", "Black", "Friday"], io),
    ).toBe(0);
    const file = join(dir, ".backflow", "annotations.yml");
    writeFileSync(file, `# kept by hand\n${readFileSync(file, "utf8")}`);
    expect(
      await runCli(["annotate", "marts.*", "policy", "2026-12-01..", "new refund policy"], capture(dir)),
    ).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("# kept by hand\n")).toBe(true);
    const annotations = readLocalAnnotations(file);
    expect(annotations.map((a) => [a.dataset, a.kind, a.from, a.to, a.note, a.author])).toEqual([
      [
        "orders",
        "seasonality",
        "2026-11-20T00:00:00.000Z",
        "2026-12-01T23:59:59.999Z",
        "Black Friday",
        "ana",
      ],
      ["marts.*", "policy", "2026-12-01T00:00:00.000Z", undefined, "new refund policy", "ana"],
    ]);
    expect(annotations[0]?.repo).toMatch(/^local\/backflow-annotate-/);
  });

  it("writes to --file and explains bad arguments with the usage", async () => {
    const io = capture(dir);
    expect(
      await runCli(["annotate", "orders", "event", "2026-01-01..", "outage", "--file", "notes.yml"], io),
    ).toBe(0);
    expect(readLocalAnnotations(join(dir, "notes.yml"))).toHaveLength(1);
    const bad = capture(dir);
    expect(await runCli(["annotate", "orders", "seasonallity", "2026-01-01..", "x"], bad)).toBe(2);
    expect(bad.stderr()).toContain("did you mean seasonality?");
    expect(bad.stderr()).toContain("usage: backflow annotate");
  });
});
