import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createBackflowOctokit } from "../../src/github/backflow-octokit.js";
import { JobPayloadError } from "../../src/jobs/job-errors.js";
import { JOB_REGISTRY, type JobDeps, registerJob, workerJobsOf } from "../../src/jobs/job-registry.js";
import { defineJobKind, handleJob } from "../../src/jobs/queue.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { githubApi } from "../helpers/github-nock.js";
import { silentLog } from "../helpers/probot.js";
import { REPO_ROOT } from "../store/temp-db.js";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Every kind name declared with defineJobKind("…") in src/ code (doc comments' examples aside). */
function declaredKinds(): string[] {
  return sourceFiles(join(REPO_ROOT, "src"))
    .map((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => !/^\s*(\*|\/\/)/.test(line))
        .join("\n"),
    )
    .flatMap((code) => [...code.matchAll(/defineJobKind\(\s*"([^"]+)"/g)].map((m) => m[1] ?? ""))
    .sort();
}

describe("the job registry", () => {
  let store: SqliteStore;
  let deps: JobDeps;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
    deps = {
      deps: { store, clock: () => new Date() },
      log: silentLog(),
      octokitFor: async () => {
        throw new Error("no GitHub in this test");
      },
    };
  });
  afterEach(() => store.close());

  it("registers every job kind declared in src/, once, each with a handler and a policy", () => {
    const { handlers, kinds } = workerJobsOf(JOB_REGISTRY, deps);
    expect(Object.keys(kinds).sort()).toEqual(declaredKinds());
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(kinds).sort());
    for (const kind of Object.values(kinds)) {
      expect(kind.policy.retry.maxAttempts).toBeGreaterThan(0);
      expect(typeof kind.policy.github).toBe("boolean");
    }
    // Only the prune works without GitHub; it is the one kind the breaker never holds back.
    expect(
      Object.values(kinds)
        .filter((kind) => !kind.policy.github)
        .map((kind) => kind.kind),
    ).toEqual(["prune-store"]);
  });

  it("validates a payload before a registered handler sees it, with the zod path", async () => {
    const ping = defineJobKind("ping", z.strictObject({ repo: z.string().min(3) }));
    const seen: unknown[] = [];
    const { handlers } = workerJobsOf(
      [registerJob(ping, () => async (payload) => void seen.push(payload.repo))],
      deps,
    );
    const ctx = { job: {} as never, signal: new AbortController().signal };
    await handlers.ping?.({ repo: "a/b" }, ctx);
    expect(seen).toEqual(["a/b"]);
    await expect(handlers.ping?.({ repo: 7 }, ctx)).rejects.toThrow(JobPayloadError);
    await expect(handlers.ping?.({ repo: 7 }, ctx)).rejects.toThrow(/"ping" is invalid at repo/);
  });

  it("refuses a kind registered twice, and a handler built for another kind", () => {
    const a = defineJobKind("a", z.unknown());
    const b = defineJobKind("b", z.unknown());
    const twice = [registerJob(a, () => async () => {}), registerJob(a, () => async () => {})];
    expect(() => workerJobsOf(twice, deps)).toThrow(/"a" is registered twice/);
    const crossed = [registerJob(a, () => handleJob(b, async () => {}))];
    expect(() => workerJobsOf(crossed, deps)).toThrow(/"a" was registered with the handler of "b"/);
  });

  it("fences a job's Octokits by its signal: after the lease is lost, its GitHub write never leaves the process", async () => {
    const Octokit = createBackflowOctokit({ testing: true });
    const scope = githubApi()
      .get("/repos/acme/shop")
      .reply(200, { id: 1, name: "shop", full_name: "acme/shop" });
    const write = githubApi().post("/repos/acme/shop/issues", { title: "stale" }).reply(201, { number: 1 });
    const ping = defineJobKind("ping", z.strictObject({ repo: z.string() }));
    const controller = new AbortController();
    let refused: unknown;
    const { handlers } = workerJobsOf(
      [
        registerJob(ping, (jobDeps) => async () => {
          const octokit = await jobDeps.octokitFor("acme/shop");
          await octokit.rest.repos.get({ owner: "acme", repo: "shop" });
          controller.abort(new Error("the job's lease was taken over"));
          refused = await octokit.rest.issues
            .create({ owner: "acme", repo: "shop", title: "stale" })
            .catch((e) => e);
        }),
      ],
      { ...deps, octokitFor: async () => new Octokit({ auth: "ghs_test", log: silentLog() }) },
    );
    await handlers.ping?.({ repo: "acme/shop" }, { job: {} as never, signal: controller.signal });
    expect(scope.isDone()).toBe(true);
    expect(String(refused)).toMatch(/lease was taken over/);
    expect(write.isDone()).toBe(false);
    nock.cleanAll();
  });
});
