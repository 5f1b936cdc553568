import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config/parse-config.js";
import { analyzeImpact } from "../../src/core/impact/analyze-impact.js";
import { triageContextOf } from "../../src/github/drift/triage-context.js";
import { type AnalysisPool, analysisThreads, createAnalysisPool } from "../../src/jobs/analysis-pool.js";

const config = parseConfig("dialect: postgres\n");
const base = new Map([
  ["dbt_project.yml", 'name: shop\nmodel-paths: ["models"]\n'],
  ["models/stg_orders.sql", "select id, amount from raw.orders\n"],
  ["models/revenue.sql", "select sum(amount) as revenue from {{ ref('stg_orders') }}\n"],
]);
const head = new Map([...base, ["models/stg_orders.sql", "select id from raw.orders\n"]]);
const slow = (n: number) =>
  new Map([
    ...base,
    ...Array.from(
      { length: n },
      (_, i) =>
        [
          `models/slow_${i}.sql`,
          `select ${i} as a\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}`,
        ] as const,
    ),
  ]);

let pool: AnalysisPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe("analysis pool", () => {
  it("returns what the in-process analysis returns, Maps included", async () => {
    pool = createAnalysisPool({ size: 1 });
    const input = { base: { files: base }, head: { files: head }, config };
    const [threaded, inline] = [await pool.analyzeImpact(input), analyzeImpact(input)];
    expect(threaded.report).toEqual(inline.report);
    expect(threaded.headGraph).toEqual(inline.headGraph);
    expect(threaded.analyses).toBeInstanceOf(Map);
    expect([...threaded.analyses.keys()].sort()).toEqual([...inline.analyses.keys()].sort());
  });

  it("sends back no base graph and only the analyses the cache lacked (what a caller stores)", async () => {
    pool = createAnalysisPool({ size: 1 });
    const cold = analyzeImpact({ base: { files: base }, head: { files: head }, config });
    const cache = new Map([...cold.analyses].filter(([, a]) => a.path === "models/revenue.sql"));
    const input = { base: { files: base }, head: { files: head }, config, cache };

    const threaded = await pool.analyzeImpact(input);

    expect("baseGraph" in threaded).toBe(false);
    expect(threaded.report).toEqual(analyzeImpact(input).report);
    expect(cache.size).toBeGreaterThan(0);
    expect([...threaded.analyses.keys()].sort()).toEqual(
      [...cold.analyses.keys()].filter((key) => !cache.has(key)).sort(),
    );
  });

  it("builds triage's context as the in-process builder does, CODEOWNERS matchers included", async () => {
    pool = createAnalysisPool({ size: 1 });
    const files = new Map([...head, ["CODEOWNERS", "models/ @acme/data\n"]]);
    const input = { snapshot: { files }, config };
    const [threaded, inline] = [await pool.repoContext(input), triageContextOf(input)];
    expect(threaded.graph).toEqual(inline.graph);
    expect(threaded.dbtProjects).toEqual(["shop"]);
    expect(threaded.codeowners?.[0]?.matcher).toBeInstanceOf(RegExp);
    expect(threaded.codeowners?.[0]?.matcher.test("models/revenue.sql")).toBe(
      inline.codeowners?.[0]?.matcher.test("models/revenue.sql"),
    );
    expect(threaded.codeowners?.[0]?.owners).toEqual(["@acme/data"]);
  });

  it("rethrows a worker's failure as an Error with its message, and keeps serving", async () => {
    pool = createAnalysisPool({ size: 1 });
    // Not a snapshot: the core throws on reading `files` of undefined.
    const broken = { base: undefined, head: { files: head }, config } as unknown as Parameters<
      AnalysisPool["analyzeImpact"]
    >[0];
    const failure = await pool.analyzeImpact(broken).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/files/);
    const ok = await pool.analyzeImpact({ base: { files: base }, head: { files: head }, config });
    expect(ok.report.verdict).toBe(
      analyzeImpact({ base: { files: base }, head: { files: head }, config }).report.verdict,
    );
  });

  it("an aborted task rejects with the signal's reason at once, and a fresh worker serves the next", async () => {
    pool = createAnalysisPool({ size: 1 });
    await pool.warm();
    const controller = new AbortController();
    const running = pool.analyzeImpact(
      { base: { files: slow(30) }, head: { files: slow(30) }, config },
      controller.signal,
    );
    const queued = pool.analyzeImpact({ base: { files: base }, head: { files: head }, config });
    setTimeout(() => controller.abort(new Error("lease lost")), 100);
    const started = performance.now();
    await expect(running).rejects.toThrow("lease lost");
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await queued).report.verdict).toBe(
      analyzeImpact({ base: { files: base }, head: { files: head }, config }).report.verdict,
    );
  });

  it("is sized by BACKFLOW_ANALYSIS_THREADS, else min(2, cores - 1), and refuses a bad value", () => {
    expect(analysisThreads({ BACKFLOW_ANALYSIS_THREADS: "3" })).toBe(3);
    expect(analysisThreads({})).toBeGreaterThanOrEqual(1);
    expect(analysisThreads({})).toBeLessThanOrEqual(2);
    expect(() => analysisThreads({ BACKFLOW_ANALYSIS_THREADS: "zero" })).toThrow(/BACKFLOW_ANALYSIS_THREADS/);
    expect(() => analysisThreads({ BACKFLOW_ANALYSIS_THREADS: "0" })).toThrow(/integer from 1/);
  });
});
