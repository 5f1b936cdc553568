import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_COMMANDS_PER_COMMENT, parseCommands } from "../../../src/core/commands/parse-commands.js";

function only(body: string) {
  const parsed = parseCommands(body);
  expect(parsed).toHaveLength(1);
  return parsed[0];
}

describe("parseCommands: each command", () => {
  it.each([
    ["/backflow help", { command: "help", args: {} }],
    [
      "/backflow report orders.customer_id null_rate 0.12 since the CRM migration",
      {
        command: "report",
        args: {
          target: "orders.customer_id",
          metric: "null_rate",
          value: 0.12,
          note: "since the CRM migration",
        },
      },
    ],
    [
      "/backflow report orders row_count -3e2",
      { command: "report", args: { target: "orders", metric: "row_count", value: -300 } },
    ],
    [
      "/backflow annotate orders seasonality 2026-11-20..2026-12-01 Black Friday",
      {
        command: "annotate",
        args: {
          dataset: "orders",
          kind: "seasonality",
          from: "2026-11-20T00:00:00.000Z",
          to: "2026-12-01T23:59:59.999Z",
          note: "Black Friday",
        },
      },
    ],
    [
      "/backflow annotate marts.* policy 2026-11-01.. new refund policy",
      {
        command: "annotate",
        args: {
          dataset: "marts.*",
          kind: "policy",
          from: "2026-11-01T00:00:00.000Z",
          note: "new refund policy",
        },
      },
    ],
    [
      "/backflow annotate orders EVENT ..2026-12-01T10:30+02:00 outage",
      {
        command: "annotate",
        args: { dataset: "orders", kind: "event", to: "2026-12-01T08:30:00.000Z", note: "outage" },
      },
    ],
    [
      "/backflow annotate orders maintenance 2026-11-01 .. 2026-11-02 backfill",
      {
        command: "annotate",
        args: {
          dataset: "orders",
          kind: "maintenance",
          from: "2026-11-01T00:00:00.000Z",
          to: "2026-11-02T23:59:59.999Z",
          note: "backfill",
        },
      },
    ],
    [
      "/backflow lineage fct_orders.amount up",
      { command: "lineage", args: { target: "fct_orders.amount", direction: "up" } },
    ],
    [
      "/backflow lineage fct_orders",
      { command: "lineage", args: { target: "fct_orders", direction: "both" } },
    ],
    ["/backflow propose", { command: "propose", args: {} }],
    ["/backflow propose Revert", { command: "propose", args: { kind: "revert" } }],
    [
      "/backflow propose revert 9fceb02d0ae598e95dc970b74767f19372d61af8",
      { command: "propose", args: { kind: "revert", commit: "9fceb02d0ae598e95dc970b74767f19372d61af8" } },
    ],
    ["/backflow propose revert abc1234", { command: "propose", args: { kind: "revert", commit: "abc1234" } }],
    ["/backflow snooze 3d", { command: "snooze", args: { duration: "3d", ms: 3 * 86_400_000 } }],
    ["/backflow snooze 12h", { command: "snooze", args: { duration: "12h", ms: 12 * 3_600_000 } }],
    ["/backflow snooze 1w", { command: "snooze", args: { duration: "1w", ms: 7 * 86_400_000 } }],
    ["/backflow resolve", { command: "resolve", args: {} }],
    ["/backflow resolve fixed in #12", { command: "resolve", args: { reason: "fixed in #12" } }],
    ["/backflow rollback", { command: "rollback", args: {} }],
    ["/BACKFLOW Help", { command: "help", args: {} }],
  ])("parses %s", (body, expected) => {
    expect(only(body)).toMatchObject(expected);
  });
});

describe("parseCommands: bad arguments explain the fix", () => {
  it.each([
    [
      "/backflow anotate orders event 2026-01-01.. x",
      "unknown command `anotate` — did you mean `annotate`?",
      "annotate",
    ],
    ["/backflow lineeage orders", "did you mean `lineage`?", "lineage"],
    ["/backflow snoze 3d", "did you mean `snooze`?", "snooze"],
    ["/backflow frobnicate", "unknown command `frobnicate` — try `/backflow help`", undefined],
    ["/backflow", "a command is missing", undefined],
    ["/backflow report orders null_rate high", "`value` must be a number", undefined],
    ["/backflow report orders null_rate", "`report` needs a dataset, a metric and a value", undefined],
    ["/backflow report orders null_rate Infinity", "`value` must be a number", undefined],
    ["/backflow annotate orders seasonallity 2026-11-01.. x", "did you mean `seasonality`?", "seasonality"],
    ["/backflow annotate orders event 2026-11-01..2026-10-01 x", "starts after it ends", undefined],
    ["/backflow annotate orders event 2026-02-30.. x", "`2026-02-30` is not a date", undefined],
    ["/backflow annotate orders event 2026-11-01..", "needs a note", undefined],
    ["/backflow annotate orders event yesterday note", "not a time window", undefined],
    ["/backflow annotate orders event .. note", "has no ends", undefined],
    ["/backflow lineage orders sideways", "unknown direction `sideways`", undefined],
    ["/backflow lineage", "needs a table", undefined],
    ["/backflow propose cleanse", "did you mean `cleansing`?", "cleansing"],
    ["/backflow propose cleansing abc1234", "only `propose revert` takes a second argument", undefined],
    ["/backflow propose revert HEAD~1", "`commit`: a commit SHA (7 to 40 hex digits)", undefined],
    ["/backflow propose revert abc1234 def5678", "only `propose revert` takes a second argument", undefined],
    ["/backflow snooze", "needs a duration", undefined],
    ["/backflow snooze 3 days", "is not a duration", undefined],
    ["/backflow snooze 0d", "longer than zero", undefined],
    ["/backflow snooze 500d", "longer than a year", undefined],
    ["/backflow rollback now", "`rollback` takes no arguments", undefined],
    ['/backflow report orders x 1 "unterminated', "never closed", undefined],
  ])("%s", (body, message, suggestion) => {
    const parsed = only(body);
    expect(parsed?.command).toBeUndefined();
    expect(parsed && "error" in parsed ? parsed.error : "").toContain(message);
    expect(parsed && "error" in parsed ? parsed.suggestion : "none").toBe(suggestion);
  });

  it("puts the usage line in argument errors", () => {
    const parsed = only("/backflow report orders null_rate high");
    expect(parsed && "error" in parsed ? parsed.error : "").toContain(
      "usage: `/backflow report <dataset>[.<column>]",
    );
  });
});

describe("parseCommands: quoting and placement", () => {
  it("keeps quoted words together, with double, single and curly quotes", () => {
    expect(only(`/backflow report "orders.customer id" 'null rate' 1 "it's bad"`)).toMatchObject({
      args: { target: "orders.customer id", metric: "null rate", value: 1, note: "it's bad" },
    });
    expect(only("/backflow resolve \u201cfixed upstream\u201d")).toMatchObject({
      args: { reason: "fixed upstream" },
    });
  });

  it("treats an apostrophe inside a word as text", () => {
    expect(only("/backflow resolve didn't recur")).toMatchObject({ args: { reason: "didn't recur" } });
  });

  it("runs several commands in the order written, with their line numbers", () => {
    const parsed = parseCommands(
      "Thanks!\n/backflow snooze 1d\nsome text\n/backflow help\n  /backflow resolve done",
    );
    expect(parsed.map((p) => [p.command, p.line])).toEqual([
      ["snooze", 2],
      ["help", 4],
      ["resolve", 5],
    ]);
  });

  it("ignores commands in fenced code blocks, quotes and mid-sentence", () => {
    const body = [
      "> /backflow rollback",
      "```",
      "/backflow rollback",
      "```",
      "~~~~md",
      "/backflow rollback",
      "```",
      "/backflow rollback",
      "~~~~",
      "please run /backflow rollback",
      "/backflowrollback",
      "    /backflow rollback",
      "/backflow help",
    ].join("\n");
    expect(parseCommands(body).map((p) => p.command)).toEqual(["help"]);
  });

  it("handles CRLF line endings", () => {
    expect(parseCommands("hi\r\n/backflow snooze 2h\r\n").map((p) => p.command)).toEqual(["snooze"]);
  });

  it("refuses commands beyond the per-comment limit", () => {
    const parsed = parseCommands(
      Array.from({ length: MAX_COMMANDS_PER_COMMENT + 3 }, () => "/backflow help").join("\n"),
    );
    expect(parsed).toHaveLength(MAX_COMMANDS_PER_COMMENT + 1);
    expect(parsed.at(-1)).toMatchObject({ error: expect.stringContaining("only the first") });
  });
});

describe("parseCommands: robustness", () => {
  it("never throws and always returns a command or an error per line", () => {
    const word = fc.oneof(
      fc.constantFrom(
        "report",
        "annotate",
        "lineage",
        "propose",
        "snooze",
        "resolve",
        "rollback",
        "help",
        "..",
        '"',
        "'",
        "```",
        ">",
      ),
      fc.string(),
      fc.constantFrom("2026-11-01..", "..2026-12-01", "3d", "0.5", "orders.id", "seasonality", "\u201c"),
    );
    const line = fc.array(word, { maxLength: 8 }).map((words) => `/backflow ${words.join(" ")}`);
    const body = fc
      .array(fc.oneof(line, fc.string(), fc.constant("```")), { maxLength: 15 })
      .map((ls) => ls.join("\n"));
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseCommands(text);
        for (const p of parsed)
          expect(p.command !== undefined || ("error" in p && p.error.length > 0)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe("parseCommands: errors are safe markdown", () => {
  it("keeps the user's words in code spans they cannot break out of", () => {
    const parsed = only("/backflow snooze `@team`<b>");
    const error = parsed && "error" in parsed ? parsed.error : "";
    expect(error).toContain("``");
    expect(error).not.toMatch(/(^|[^`])@team/);
  });
});
