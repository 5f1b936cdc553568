import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { JobPayloadError } from "../../src/jobs/job-errors.js";
import { defineJobKind, enqueueJob, handleJob } from "../../src/jobs/queue.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { JobRecord } from "../../src/store/store.js";

const syncCheck = defineJobKind("check-run.sync", z.object({ repo: z.string(), sha: z.string().length(40) }));
const now = new Date("2025-01-01T00:00:00Z");
const sha = "a".repeat(40);

describe("enqueueJob", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  it("enqueues a typed job under its kind's name", async () => {
    const { job, created } = await enqueueJob(store, { kind: syncCheck, payload: { repo: "a/b", sha }, now });
    expect(created).toBe(true);
    expect(job).toMatchObject({ kind: "check-run.sync", payload: { repo: "a/b", sha }, state: "queued" });
  });

  it("enqueues once per idempotency key", async () => {
    const input = { kind: syncCheck, payload: { repo: "a/b", sha }, idempotencyKey: "delivery-9", now };
    const first = await enqueueJob(store, input);
    const second = await enqueueJob(store, input);
    expect(second).toEqual({ job: first.job, created: false });
  });

  it("refuses a payload that does not match the kind's schema before storing it", async () => {
    await expect(
      enqueueJob(store, { kind: syncCheck, payload: { repo: "a/b", sha: "short" }, now }),
    ).rejects.toThrow(/check-run\.sync.*sha/);
    expect(await store.jobs.list()).toEqual([]);
  });

  it("accepts a plain kind name without validation", async () => {
    const { job } = await enqueueJob(store, { kind: "custom", payload: { anything: true }, now });
    expect(job.kind).toBe("custom");
  });
});

describe("handleJob", () => {
  const signal = new AbortController().signal;
  const job: JobRecord = {
    id: "j1",
    kind: "check-run.sync",
    payload: null,
    idempotencyKey: null,
    state: "running",
    attempts: 1,
    maxAttempts: 5,
    runAt: now,
    leaseOwner: "w",
    leaseUntil: now,
    leaseToken: 1,
    fairnessKey: "a",
    lastError: null,
    createdAt: now,
  };

  it("hands the handler the parsed payload", async () => {
    const seen: unknown[] = [];
    const [kind, handler] = handleJob(syncCheck, async (payload) => {
      seen.push(payload.repo);
    });
    await handler({ repo: "x/y", sha }, { job, signal });
    expect(kind).toBe("check-run.sync");
    expect(seen).toEqual(["x/y"]);
  });

  it("throws a JobPayloadError naming the bad field instead of calling the handler", async () => {
    let called = false;
    const [, handler] = handleJob(syncCheck, async () => {
      called = true;
    });
    const run = handler({ repo: 5 }, { job, signal });
    await expect(run).rejects.toBeInstanceOf(JobPayloadError);
    await expect(run).rejects.toThrow(/at repo/);
    expect(called).toBe(false);
  });
});
