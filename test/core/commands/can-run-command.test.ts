import { describe, expect, it } from "vitest";
import { canRunCommand, effectivePermission } from "../../../src/core/commands/can-run-command.js";
import { parseConfig } from "../../../src/core/config/parse-config.js";

describe("effectivePermission", () => {
  it.each([
    [{ roleName: "maintain", permission: "write" }, "maintain"],
    [{ roleName: "triage", permission: "read" }, "triage"],
    [{ roleName: "security-reviewer", permission: "write" }, "write"],
    [{ roleName: null, permission: "admin" }, "admin"],
    [{ permission: "push" }, "write"],
    [{ roleName: "", permission: "none" }, null],
  ])("reads %j as %s", (input, expected) => {
    expect(effectivePermission(input)).toBe(expected);
  });
});

describe("canRunCommand", () => {
  const defaults = parseConfig(undefined);
  const open = parseConfig("commands:\n  permission: maintain\n  openToCommenters: [report, annotate]\n");
  const perCommand = parseConfig("commands:\n  permissions: { rollback: maintain, lineage: read }\n");

  it.each([
    ["write user, default config", "rollback", "write", defaults, true],
    ["triage user, default config", "snooze", "triage", defaults, false],
    ["no access", "resolve", null, defaults, false],
    ["help for anyone", "help", null, defaults, true],
    ["open command for a commenter", "report", null, open, true],
    ["write user below maintain", "propose", "write", open, false],
    ["admin above maintain", "propose", "admin", open, true],
    ["write user below rollback's own maintain", "rollback", "write", perCommand, false],
    ["maintainer for rollback's own maintain", "rollback", "maintain", perCommand, true],
    ["read user for lineage opened to readers", "lineage", "read", perCommand, true],
    ["other commands keep the default", "snooze", "triage", perCommand, false],
  ] as const)("%s: %s → %s", (_name, command, held, config, allowed) => {
    expect(canRunCommand({ command, held, config }).allowed).toBe(allowed);
  });

  it("says which permission is needed", () => {
    expect(canRunCommand({ command: "rollback", held: "read", config: defaults })).toEqual({
      allowed: false,
      needs: "write",
    });
  });

  it("refuses to open a command that changes things to every commenter, saying what to do instead", () => {
    expect(() => parseConfig("commands:\n  openToCommenters: [report, rollback]\n")).toThrow(
      /only report and annotate may be opened to anyone who can comment; give other commands a level in commands.permissions/,
    );
    expect(() => parseConfig("commands:\n  permissions: { rolback: admin }\n")).toThrow(/rolback/);
  });
});
