import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { jobsCommand } from "../../src/jobs/jobs-command.js";

describe("the command registry", () => {
  it("declares the jobs command as its implementation does (help and argument checks run before it loads)", () => {
    const entry = COMMANDS.find((c) => c.name === "jobs");
    expect(
      entry && { name: entry.name, summary: entry.summary, usage: entry.usage, options: entry.options },
    ).toEqual({
      name: jobsCommand.name,
      summary: jobsCommand.summary,
      usage: jobsCommand.usage,
      options: jobsCommand.options,
    });
  });

  it("loads a runnable implementation for every command", async () => {
    for (const command of COMMANDS) expect(typeof (await command.load())).toBe("function");
  });
});
