import { describe, expect, it } from "vitest";
import { analyzeImpact } from "../../../src/core/impact/analyze-impact.js";
import { sha1Hex } from "../../../src/core/sql/sha1-hex.js";
import { loadSnapshots, saveAnalyses } from "../../../src/github/impact/load-snapshots.js";
import type { RepoReader } from "../../../src/github/repo-reader.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { exampleScenario } from "../../core/impact/example-scenarios.js";

/** A reader over two in-memory commits, "base" and "head", with blob SHAs from content. */
function readerOf(commits: Record<string, ReadonlyMap<string, string>>, changed: string[]): RepoReader {
  const blobs = new Map<string, string>();
  for (const files of Object.values(commits))
    for (const text of files.values()) blobs.set(sha1Hex(text), text);
  return {
    listTree: async (ref) =>
      [...(commits[ref] ?? new Map())].map(([path, text]) => ({ path, sha: sha1Hex(text) })),
    readBlob: async (sha) => blobs.get(sha) ?? "",
    readFile: async () => null,
    compare: async () => changed.map((path) => ({ path, status: "modified" as const, sha: null })),
  };
}

describe("loadSnapshots and saveAnalyses", () => {
  it("stores a base commit's dbt YAML reads and hands them to the next run on that base", async () => {
    const s = exampleScenario("breaking");
    const store = openSqliteStore(":memory:");
    const reader = readerOf({ base: s.base, head: s.head }, s.changed);
    const load = () => loadSnapshots({ reader, store, baseSha: "base", headSha: "head", api: { calls: 0 } });
    const first = await load();
    expect(first.dbtCache.size).toBe(0);
    const run = analyzeImpact({
      ...first,
      config: s.config,
      changedFiles: first.changed,
      cache: first.cache,
    });
    expect(run.dbtReads.size).toBeGreaterThan(0);
    await saveAnalyses({ store, snapshots: first, analyses: run.analyses, dbtReads: run.dbtReads });
    const second = await load();
    expect([...second.dbtCache.keys()].sort()).toEqual([...run.dbtReads.keys()].sort());
    const again = analyzeImpact({
      ...second,
      config: s.config,
      changedFiles: second.changed,
      cache: second.cache,
      dbtCache: second.dbtCache,
    });
    expect(again.report).toEqual(run.report);
  });
});
