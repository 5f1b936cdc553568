import { describe, expect, it } from "vitest";
import { COMMAND_NAMES, COMMAND_USAGE } from "../../../src/core/commands/command-schema.js";
import { parseCommands } from "../../../src/core/commands/parse-commands.js";
import { renderHelp } from "../../../src/core/commands/render-help.js";

describe("renderHelp", () => {
  it("lists every command's usage with an example that parses", () => {
    const help = renderHelp();
    for (const name of COMMAND_NAMES) expect(help).toContain(COMMAND_USAGE[name]);
    const examples = [...help.matchAll(/Example: `([^`]+)`/g)].map((m) => m[1] ?? "");
    expect(examples).toHaveLength(COMMAND_NAMES.length);
    const parsed = parseCommands(examples.join("\n"));
    expect(parsed.map((p) => p.command)).toEqual(COMMAND_NAMES);
  });

  it("marks the commands the reader may not run", () => {
    const help = renderHelp({ allowed: new Set(["help", "report"]) });
    expect(help).toMatch(/rollback`_?\s*_\(needs more access\)_/);
    expect(help).not.toMatch(/report <dataset>\[\.<column>\] <metric> <value> \[note…\]` _\(needs/);
  });
});
