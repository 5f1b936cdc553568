/**
 * `npm run preview [-- --out dir]`: renders what Backflow writes to GitHub for the bundled example
 * (check runs, drift issues, the dashboard, command replies) as HTML pages styled like GitHub
 * (GitHub-flavoured markdown via `marked`, `github-markdown-css`, Mermaid 11 in the browser), in a
 * 760 px column like an issue's. Open `index.html` in a browser. Nothing touches GitHub.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Marked } from "marked";
import { renderLineageReply } from "../src/core/commands/render-lineage-reply.js";
import { parseConfig } from "../src/core/config/parse-config.js";
import { CONFIG_PATH } from "../src/core/config/schema.js";
import { analyzeImpact } from "../src/core/impact/analyze-impact.js";
import { renderCommandReply } from "../src/core/render/render-command-reply.js";
import { renderDashboard } from "../src/core/render/render-dashboard.js";
import { renderDriftIssue } from "../src/core/render/render-drift-issue.js";
import { renderImpact } from "../src/core/render/render-impact.js";
import { adaptSignals } from "../src/core/signals/detect-format.js";
import type { Evaluation } from "../src/core/triage/evaluation-schema.js";
import { type Finding, triageSignal } from "../src/core/triage/triage-signal.js";
import { ownersOfFinding, triageContextOf } from "../src/github/drift/triage-context.js";
import { readTree } from "../test/core/impact/example-scenarios.js";
import { analyzeRootRename } from "../test/golden/root-rename-repo.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLES = join(ROOT, "examples");
const SHA = "4f7c2d9e0b1a3c5d7e9f1a2b3c4d5e6f7a8b9c0d";
const NOW = new Date("2026-11-24T07:00:00Z");

type Page = { file: string; kind: string; title: string; markdown: string };

const marked = new Marked({ gfm: true, async: false });
marked.use({
  renderer: {
    code({ text, lang }) {
      const escaped = escapeHtml(text);
      return lang === "mermaid"
        ? `<pre class="mermaid">${escaped}</pre>\n`
        : `<pre><code>${escaped}</code></pre>\n`;
    },
  },
});

function html(page: Page): string {
  const body = marked.parse(page.markdown) as string;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${page.kind}: ${escapeHtml(page.title)}</title>
<link rel="stylesheet" href="github-markdown-light.css">
<style>
  body { background: #fff; margin: 0; font-family: -apple-system, "Segoe UI", sans-serif; }
  .frame { max-width: 760px; margin: 24px auto; border: 1px solid #d1d9e0; border-radius: 6px; }
  .frame > header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; font-size: 14px; }
  .frame > h1 { font-size: 26px; font-weight: 400; margin: 16px; }
  .markdown-body { padding: 16px; }
</style></head>
<body><div class="frame"><header>${escapeHtml(page.kind)} · rendered by <code>npm run preview</code></header>
<h1>${escapeHtml(page.title)}</h1>
<article class="markdown-body">
${body}
</article></div>
<script src="mermaid.min.js"></script>
<script>mermaid.initialize({ startOnLoad: true, securityLevel: "strict" });</script>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function impactPages(): Page[] {
  const base = readTree(join(EXAMPLES, "shop"));
  const pages: Page[] = [];
  for (const scenario of ["breaking", "non-breaking"]) {
    const overlay = readTree(join(EXAMPLES, "changes", scenario));
    const head = new Map([...base, ...overlay]);
    const config = parseConfig(head.get(CONFIG_PATH), CONFIG_PATH);
    const { report, headGraph } = analyzeImpact({
      base: { files: base },
      head: { files: head },
      config,
      changedFiles: [...overlay.keys()],
    });
    const r = renderImpact(report, {
      graph: headGraph,
      hasText: true,
      commandLine: "backflow impact --base main",
    });
    pages.push({
      file: `check-run-${scenario}.html`,
      kind: "Check run",
      title: r.title,
      markdown: checkRun(r),
    });
  }
  const { report, headGraph } = analyzeRootRename(300);
  const r = renderImpact(report, {
    graph: headGraph,
    hasText: true,
    commandLine: "backflow impact --base main",
  });
  pages.push({ file: "check-run-300-models.html", kind: "Check run", title: r.title, markdown: checkRun(r) });
  return pages;
}

/** A check run page shows the summary, then the text under "details", as GitHub's checks tab does. */
function checkRun(r: { summary: string; text: string }): string {
  return `${r.summary}\n\n---\n\n<details><summary>Check run text (details)</summary>\n\n${r.text}\n\n</details>`;
}

function driftPages(): { pages: Page[]; findings: { finding: Finding; title: string }[] } {
  const files = readTree(join(EXAMPLES, "shop"));
  const config = parseConfig(files.get(CONFIG_PATH), CONFIG_PATH);
  const context = triageContextOf({ snapshot: { files }, config });
  const pages: Page[] = [];
  const findings: { finding: Finding; title: string }[] = [];
  // The analyst's completeness signal first: it carries the 30-point history the chart shows.
  const signalFiles = readdirSync(join(EXAMPLES, "signals"))
    .filter((f) => f.endsWith(".json"))
    .sort((a, b) => Number(b.includes("completeness")) - Number(a.includes("completeness")));
  for (const file of signalFiles) {
    const body = JSON.parse(readFileSync(join(EXAMPLES, "signals", file), "utf8"));
    const signals = adaptSignals(body, { source: "monitor", receivedAt: NOW, deliveryId: "preview" });
    signals.forEach((signal, i) => {
      const history: Evaluation[] =
        file.includes("completeness") && i === 0
          ? Array.from({ length: 29 }, (_, d) => ({
              observedAt: new Date(Date.parse(signal.observedAt) - (29 - d) * 86_400_000).toISOString(),
              metric: "completeness",
              value: d > 24 ? 0.995 - (d - 24) * 0.012 : 0.995 + ((d * 7) % 5) / 1000,
              breached: false,
              expected: false,
              severity: "warning" as const,
            }))
          : [];
      const finding = triageSignal({
        signal,
        repo: "acme/shop",
        config,
        graph: context.graph,
        history,
        annotations: [],
        contracts: context.slas,
      });
      // One fingerprint, one issue: a second signal of the same finding updates the first one's page.
      if (finding.decision !== "open" || findings.some((f) => f.finding.fingerprint === finding.fingerprint))
        return;
      const issue = renderDriftIssue({
        finding,
        signal,
        history: [...history, finding.evaluation],
        owner: "acme",
        repo: "shop",
        sha: SHA,
        graph: context.graph,
        owners: ownersOfFinding(context, finding),
        commits: new Map(
          finding.suspects.slice(0, 1).flatMap((s) =>
            s.file
              ? [
                  [
                    s.file,
                    [
                      {
                        sha: "9b1e7c2a4d",
                        date: "2026-11-20T10:00:00Z",
                        author: "bob-engineer",
                        message: "Join orders on the new customer key",
                        pr: 41,
                      },
                    ],
                  ],
                ]
              : [],
          ),
        ),
        commitDays: 14,
      });
      findings.push({ finding, title: issue.title });
      pages.push({
        file: `issue-${pages.length + 1}.html`,
        kind: `Drift issue #${pages.length + 1}`,
        title: issue.title,
        markdown: issue.body,
      });
    });
  }
  return { pages, findings };
}

function dashboardPage(findings: readonly { finding: Finding; title: string }[]): Page {
  const { title, body } = renderDashboard(
    {
      findings: findings.map((f, i) => ({
        fingerprint: f.finding.fingerprint,
        title: f.title,
        severity: f.finding.severity,
        issueNumber: i + 1,
        openedAt: "2026-11-24T06:00:00Z",
        snoozedUntil: null,
      })),
      proposals: [
        {
          number: 42,
          title: "Backflow: Cleansing rule for completeness on fct_orders.customer_id",
          createdAt: "2026-11-24T08:00:00Z",
        },
      ],
      expectations: [
        {
          pr: 41,
          text: "completeness(fct_orders.customer_id) >= 0.99 within 3d",
          mode: "within",
          duration: "3d",
          mergedAt: "2026-11-21T09:00:00Z",
        },
      ],
      annotations: [
        {
          dataset: "fct_orders",
          kind: "seasonality",
          from: "2026-12-24",
          to: "2026-12-27",
          note: "Holiday volume drop",
          author: "alice-analyst",
        },
      ],
      contracts: [
        {
          id: "orders",
          version: "1.2.0",
          owners: ["@shop-data/analytics-eng", "@bob-engineer"],
          datasets: ["fct_orders"],
        },
        { id: "customers", version: "2.0.1", owners: ["@alice-analyst"], datasets: ["dim_customers"] },
      ],
      signals: [{ source: "monitor", signals: findings.length, deliveries: 3 }],
    },
    NOW,
  );
  return { file: "dashboard.html", kind: "Dashboard issue", title, markdown: body };
}

function replyPages(): Page[] {
  const files = readTree(join(EXAMPLES, "shop"));
  const config = parseConfig(files.get(CONFIG_PATH), CONFIG_PATH);
  const { graph } = triageContextOf({ snapshot: { files }, config });
  const targets = ["fct_orders.customer_id", "fct_order.customer_id", "dim_customers"];
  const outcomes = targets.map((target, i) => {
    const reply = renderLineageReply(graph, { target, direction: "both" });
    return {
      line: i + 1,
      text: `lineage ${target}`,
      command: "lineage" as const,
      status: reply.ok ? ("done" as const) : ("invalid" as const),
      message: reply.markdown,
    };
  });
  return [
    {
      file: "reply-lineage.html",
      kind: "Comment reply",
      title: "Reply to /backflow lineage",
      markdown: renderCommandReply({ commentId: 1, actor: "alice-analyst", outcomes }),
    },
  ];
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  const out = resolve(values.out ?? join(ROOT, ".tmp", "preview"));
  mkdirSync(out, { recursive: true });
  for (const old of readdirSync(out))
    if (/^(issue|check-run|reply|dashboard)-?.*\.(html|md)$/.test(old)) rmSync(join(out, old));
  const require = createRequire(import.meta.url);
  copyFileSync(require.resolve("mermaid/dist/mermaid.min.js"), join(out, "mermaid.min.js"));
  copyFileSync(
    require.resolve("github-markdown-css/github-markdown-light.css"),
    join(out, "github-markdown-light.css"),
  );
  const drift = driftPages();
  const pages = [...impactPages(), ...drift.pages, dashboardPage(drift.findings), ...replyPages()];
  for (const page of pages) {
    writeFileSync(join(out, page.file), html(page));
    writeFileSync(join(out, page.file.replace(/\.html$/, ".md")), `${page.markdown}\n`);
  }
  const index = pages.map((p) => `- [${p.kind}: ${p.title.replace(/[[\]]/g, "")}](${p.file})`).join("\n");
  writeFileSync(
    join(out, "index.html"),
    html({ file: "index.html", kind: "Preview", title: "Backflow output preview", markdown: index }),
  );
  process.stdout.write(`${pages.length} pages written to ${out}; open ${join(out, "index.html")}\n`);
}

main();
