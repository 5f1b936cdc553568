import { describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { checkRunHash, upsertCheckRun } from "../../../src/github/writers/upsert-check-run.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { createTestProbot } from "../../helpers/probot.js";

describe("upsertCheckRun", () => {
  it("logs the exact payload and writes nothing in dry-run mode", async () => {
    const store = openSqliteStore(":memory:");
    const probot = await createTestProbot();
    const logged: unknown[] = [];
    const log = { info: (fields: unknown) => logged.push(fields) } as unknown as Parameters<
      typeof upsertCheckRun
    >[0]["log"];

    const result = await upsertCheckRun({
      octokit: await probot.auth(),
      deps: { store, clock: () => new Date(0), dryRun: true },
      log,
      owner: "acme",
      repo: "pipeline",
      repoKey: repoKeyOf("acme/pipeline"),
      headSha: "abc",
      content: { name: "Backflow: contract impact", conclusion: "neutral", title: "t", summary: "s" },
    });

    expect(result.action).toBe("dry-run");
    expect(logged).toEqual([
      {
        payload: {
          owner: "acme",
          repo: "pipeline",
          head_sha: "abc",
          name: "Backflow: contract impact",
          status: "completed",
          conclusion: "neutral",
          output: { title: "t", summary: "s" },
        },
      },
    ]);
    expect(takeRecordedRequests()).toEqual([]);
    expect(
      await store.repoState.get({ repo: "acme/pipeline", key: "check:Backflow: contract impact:abc" }),
    ).toBeNull();
    await store.close();
  });

  it("changes the hash exactly when what the user sees changes", () => {
    const base = { conclusion: "neutral", title: "t", summary: "s", text: null };

    expect(checkRunHash(base)).toBe(checkRunHash({ ...base }));
    expect(checkRunHash(base)).not.toBe(checkRunHash({ ...base, summary: "s2" }));
    expect(checkRunHash(base)).not.toBe(checkRunHash({ ...base, conclusion: "failure" }));
  });
});
