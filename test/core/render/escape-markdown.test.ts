import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  codeBlock,
  codeSpan,
  escapeMarkdown,
  escapeTableCell,
} from "../../../src/core/render/escape-markdown.js";
import { fitSections } from "../../../src/core/render/fit-to-limit.js";
import { renderTable } from "../../../src/core/render/markdown-table.js";

const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "@octocat please look",
    "<img src=x onerror=alert(1)>",
    "[click](https://evil.example)",
    "![](http://tracker.example/p.png)",
    "fixes #12 and GH-7",
    "| a | b |\n|---|---|",
    "```\nclose the fence",
    "https://evil.example/path",
  ),
  fc
    .array(fc.constantFrom("@", "<", ">", "[", "]", "(", ")", "http://x", "\n", "|", "`", "a", " ", "#1"), {
      maxLength: 30,
    })
    .map((parts) => parts.join("")),
);

describe("escapeMarkdown", () => {
  it("never lets through a mention, an HTML tag, a link or an autolinked URL", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = escapeMarkdown(text);
        expect(out).not.toMatch(/@[A-Za-z0-9]/);
        expect(out).not.toMatch(/<[a-z/!]/i);
        expect(out).not.toMatch(/(^|[^\\])\]\(/);
        expect(out).not.toMatch(/[a-z]+:\/\//i);
      }),
    );
  });

  it("keeps plain words readable", () => {
    expect(escapeMarkdown("orders.customer_id null rate 7%")).toBe("orders.customer\\_id null rate 7%");
  });

  it("table cells never contain a raw newline or an unescaped pipe", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const cell = escapeTableCell(text);
        expect(cell).not.toContain("\n");
        expect(cell).not.toMatch(/(^|[^\\])\|/);
      }),
    );
  });
});

describe("code spans and blocks", () => {
  it("a code span cannot be closed by backticks inside it", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const span = codeSpan(text);
        const fence = span.match(/^`+/)?.[0] ?? "";
        const inner = span.slice(fence.length, span.length - fence.length);
        expect(inner.includes(fence)).toBe(false);
      }),
    );
  });

  it("a code block fence is longer than any backtick run inside", () => {
    const block = codeBlock("select 1\n````\n@someone");
    expect(block.startsWith("`````")).toBe(true);
    expect(block).not.toMatch(/@[a-z]/);
  });
});

describe("renderTable and fitSections", () => {
  it("escapes untrusted cells but passes Backflow's own markdown through", () => {
    const table = renderTable(["a", "b"], [["<b>x</b>", { md: "[link](https://github.com)" }]]);
    expect(table).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(table).toContain("[link](https://github.com)");
  });

  it("drops whole sections from the end and says how many, keeping the pinned ones", () => {
    const text = fitSections(
      [{ text: "verdict", keep: true }, { text: "x".repeat(60) }, { text: "y".repeat(100) }],
      160,
    );
    expect(text).toContain("verdict");
    expect(text).toContain("x".repeat(60));
    expect(text).not.toContain("yyyy");
    expect(text).toContain("1 section(s) left out");
    expect(text.length).toBeLessThanOrEqual(160);
  });
});
