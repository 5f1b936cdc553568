import fc from "fast-check";
import { marked } from "marked";
import { describe, expect, it } from "vitest";
import {
  codeBlock,
  codeSpan,
  escapeMarkdown,
  escapeTableCell,
  plainLine,
  stripControl,
} from "../../../src/core/render/escape-markdown.js";
import { fitSections } from "../../../src/core/render/fit-to-limit.js";
import { renderTable } from "../../../src/core/render/markdown-table.js";

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom(
    "@octocat please look",
    "<img src=x onerror=alert(1)>",
    "[click](https://evil.example)",
    "![](http://tracker.example/p.png)",
    "fixes #12 and GH-7",
    "| a | b |\n|---|---|",
    "```\nclose the fence",
    "https://evil.example/path",
    "see www.evil.example now",
    "_www.evil.example_ *www.evil.example* ~www.evil.example~ (www.evil.example)",
    "mail alice@evil.example or mailto:bob@evil.example",
    "orders\n# Heading",
    "orders\n===",
    "orders\n---",
    "x\n1. list\n2) list\n    indented code\n> quote",
    "&#64;octocat &lt;b&gt; &copy;",
    "\u001b]0;pwned\u0007title\u001b[2J\u001b[31mred",
    "a\u202eevil\u202cb",
  ),
  fc
    .array(
      fc.constantFrom(
        "@",
        "<",
        ">",
        "[",
        "]",
        "(",
        ")",
        "http://x",
        "www.",
        "x.example",
        "\n",
        "|",
        "`",
        "a",
        " ",
        "    ",
        "#1",
        "1.",
        "=",
        "-",
        "&#64;",
        "\u001b",
        "]0;",
        "\u0007",
        "\r",
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join("")),
);

/** What GitHub-flavoured markdown makes of the text inside a paragraph of Backflow's own. */
function rendered(markdown: string): string {
  return marked.parse(`Observed: ${markdown}`, { gfm: true, async: false });
}

describe("escapeMarkdown", () => {
  it("never lets through a mention, an HTML tag, a link or an autolinked URL", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = escapeMarkdown(text);
        expect(out).not.toMatch(/@[A-Za-z0-9]/);
        expect(out).not.toMatch(/<[a-z/!]/i);
        expect(out).not.toMatch(/(^|[^\\])\]\(/);
        expect(out).not.toMatch(/[a-z]+:\/\//i);
        expect(out).not.toMatch(/www\./i);
      }),
      { numRuns: 500 },
    );
  });

  it("renders as one paragraph of text: no link, image, heading, list, quote, code block or rule", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const html = rendered(escapeMarkdown(text));
        expect(html).not.toMatch(/<(a|img|h[1-6]|ol|ul|li|blockquote|pre|hr|table|code)\b/);
        expect(html.match(/<p>/g)?.length ?? 0).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it("a newline in a dataset name does not turn the paragraph into a heading", () => {
    expect(rendered(escapeMarkdown("orders\n==="))).not.toContain("<h1");
    expect(rendered(escapeMarkdown("orders\n---"))).not.toContain("<h2");
    expect(rendered(escapeMarkdown("orders\n# x"))).not.toContain("<h1");
  });

  it("www. links and e-mail addresses stay plain text", () => {
    expect(rendered(escapeMarkdown("www.evil.example"))).not.toContain("<a");
    expect(rendered(escapeMarkdown("alice@evil.example"))).not.toContain("<a");
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

describe("control characters", () => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is their absence
  const control = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it("no escape sequence or control character survives any escaping", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        for (const out of [
          escapeMarkdown(text),
          escapeTableCell(text),
          codeSpan(text),
          codeBlock(text),
          stripControl(text),
          plainLine(text),
        ])
          expect(out).not.toMatch(control);
      }),
      { numRuns: 500 },
    );
  });

  it("removes whole terminal sequences, not only their ESC", () => {
    expect(stripControl("\u001b]0;pwned\u0007title\u001b[2J\u001b[31mred")).toBe("titlered");
  });

  it("a plain line has no line break", () => {
    expect(plainLine("orders\n# Heading\r\nx")).toBe("orders # Heading x");
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

  it("keeps a handle inside a code span exactly as written, so copying it gives the handle", () => {
    expect(codeSpan("@shop-data/analytics-eng")).toBe("`@shop-data/analytics-eng`");
    expect(rendered(codeSpan("@shop-data/analytics-eng"))).toContain("<code>@shop-data/analytics-eng</code>");
  });

  it("a code block fence is longer than any backtick run inside", () => {
    const block = codeBlock("select 1\n````\n@someone");
    expect(block.startsWith("`````")).toBe(true);
    expect(rendered(`\n\n${block}`)).toContain("@someone");
  });
});

describe("renderTable and fitSections", () => {
  it("escapes untrusted cells but passes Backflow's own markdown through", () => {
    const table = renderTable(["a", "b"], [["<b>x</b>", { md: "[link](https://github.com)" }]]);
    expect(table).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(table).toContain("[link](https://github.com)");
  });

  it("drops whole sections from the end and says which, keeping the pinned ones", () => {
    const text = fitSections(
      [{ text: "verdict", keep: true }, { text: "x".repeat(60) }, { text: "y".repeat(100), name: "Lineage" }],
      160,
    );
    expect(text).toContain("verdict");
    expect(text).toContain("x".repeat(60));
    expect(text).not.toContain("yyyy");
    expect(text).toContain("Left out to stay within GitHub's size limit: Lineage");
    expect(text.length).toBeLessThanOrEqual(160);
  });
});
