import nock from "nock";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { checkRunDesireHash } from "../../../src/github/writers/ensure-check-run.js";
import { upsertCheckRun } from "../../../src/github/writers/upsert-check-run.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { githubApi, mockInstallationToken } from "../../helpers/github-nock.js";
import { checkRequest, takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { createTestProbot } from "../../helpers/probot.js";

const SHA = "a".repeat(40);

afterEach(() => {
  nock.cleanAll();
});

describe("upsertCheckRun", () => {
  it("in dry run looks the run up, logs the exact payload and writes nothing, the store included", async () => {
    const store = openSqliteStore(":memory:");
    const probot = await createTestProbot();
    mockInstallationToken();
    githubApi()
      .get(`/repos/acme/pipeline/commits/${SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    const logged: Array<{ msg: string; payload?: unknown }> = [];
    const log = pino({ level: "info" }, { write: (line: string) => void logged.push(JSON.parse(line)) });

    const result = await upsertCheckRun({
      octokit: await probot.auth(1),
      deps: { store, clock: () => new Date(0), dryRun: true },
      log,
      owner: "acme",
      repo: "pipeline",
      repoKey: repoKeyOf("acme/pipeline"),
      headSha: SHA,
      content: { name: "Backflow: contract impact", conclusion: "neutral", title: "t", summary: "s" },
    });

    expect(result.action).toBe("dry-run");
    expect(logged.find((l) => l.msg === "dry run: would create a check run")?.payload).toEqual({
      owner: "acme",
      repo: "pipeline",
      head_sha: SHA,
      name: "Backflow: contract impact",
      status: "completed",
      conclusion: "neutral",
      completed_at: "1970-01-01T00:00:00.000Z",
      output: { title: "t", summary: "s" },
      actions: [],
    });
    const requests = takeRecordedRequests();
    expect(requests.flatMap(checkRequest)).toEqual([]);
    expect(requests.filter((r) => r.method !== "GET" && !r.path.includes("/access_tokens"))).toEqual([]);
    expect(
      await store.repoState.get({ repo: "acme/pipeline", key: `check:Backflow: contract impact:${SHA}` }),
    ).toBeNull();
    await store.close();
  });

  it("changes the hash exactly when what the user sees changes", () => {
    const base = { status: "completed", conclusion: "neutral", title: "t", summary: "s" } as const;
    const ack = { label: "Acknowledge", description: "d", identifier: "ack" };

    expect(checkRunDesireHash(base)).toBe(checkRunDesireHash({ ...base }));
    expect(checkRunDesireHash(base)).toBe(checkRunDesireHash({ ...base, annotations: [], actions: [] }));
    expect(checkRunDesireHash(base)).not.toBe(checkRunDesireHash({ ...base, summary: "s2" }));
    expect(checkRunDesireHash(base)).not.toBe(checkRunDesireHash({ ...base, conclusion: "failure" }));
    expect(checkRunDesireHash(base)).not.toBe(checkRunDesireHash({ ...base, actions: [ack] }));
    expect(checkRunDesireHash({ status: "in_progress" })).toBe("in_progress");
  });
});
