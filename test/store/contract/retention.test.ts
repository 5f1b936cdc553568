import { beforeEach, describe, expect, it } from "vitest";
import { adaptSignals } from "../../../src/core/signals/detect-format.js";
import { KEPT_EVALUATIONS_PER_FINDING } from "../../../src/store/rows/retention-policy.js";
import type { Store } from "../../../src/store/store.js";
import { canaryRecord } from "../canary/canary-store-cases.js";
import { BACKENDS, useStore } from "./backends.js";

const NOW = new Date("2026-11-25T00:00:00Z");
const days = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const CUTOFF = days(90);
const REPO = "acme/shop";

let store: Store;

/** One delivery of one canonical signal received `age` days ago, processed into `fingerprint` unless pending. */
async function delivery(id: string, age: number, fingerprint: string, processed = true) {
  const body = {
    id: `sig-${id}`,
    source: { kind: "backflow" },
    observedAt: days(age).toISOString(),
    type: "metric_breach",
    status: "firing",
    severity: "error",
    dataset: { name: "orders" },
    measurement: { metric: "completeness", kind: "completeness", value: 0.5 },
  };
  const signals = adaptSignals(body, { source: "monitor", receivedAt: days(age), deliveryId: id });
  await store.signals.recordDelivery({
    deliveryId: id,
    source: "monitor",
    repo: REPO,
    format: "backflow",
    rawBody: JSON.stringify(body),
    signals,
    receivedAt: days(age),
    job: { kind: "noop", payload: {}, idempotencyKey: `noop-${id}`, runAt: days(age), now: days(age) },
  });
  if (processed)
    await store.signals.markProcessed({
      source: "monitor",
      deliveryId: id,
      now: days(age),
      fingerprints: [{ signalId: `sig-${id}`, fingerprint }],
    });
}

const kept = async (id: string) =>
  (await store.signals.getDelivery({ source: "monitor", deliveryId: id })) !== null;

describe.each(BACKENDS)("$name retention", (backend) => {
  const ctx = useStore(backend);
  beforeEach(() => {
    store = ctx.store;
  });

  it("removes old processed signals and their deliveries, but keeps each finding's latest signal and pending work", async () => {
    await delivery("a", 120, "F");
    await delivery("b", 100, "F");
    await delivery("c", 1, "F");
    await delivery("d", 100, "G");
    await delivery("e", 100, "H", false);

    const counts = await store.retention.prune({ before: CUTOFF, now: NOW });

    expect(counts).toMatchObject({ signals: 2, deliveries: 2 });
    expect(await Promise.all(["a", "b", "c", "d", "e"].map(kept))).toEqual([false, false, true, true, true]);
  });

  it("removes finished jobs, never dead-lettered or waiting ones", async () => {
    const enqueue = (key: string, at: Date) =>
      store.jobs.enqueue({ kind: "k", payload: {}, idempotencyKey: key, runAt: at, now: at });
    const finish = async (key: string, at: Date, dead = false) => {
      const { job } = await enqueue(key, at);
      const claimed = await store.jobs.claim({ workerId: "w", now: at, leaseMs: 1000 });
      expect(claimed?.id).toBe(job.id);
      const fence = { id: job.id, workerId: "w", leaseToken: claimed?.leaseToken ?? 0, now: at };
      if (dead) expect(await store.jobs.fail({ ...fence, error: "x", retryAt: null })).toBe(true);
      else expect(await store.jobs.complete(fence)).toBe(true);
    };
    await finish("old-done", days(100));
    await finish("old-dead", days(100), true);
    await finish("new-done", days(1));
    await enqueue("old-queued", days(100));

    const counts = await store.retention.prune({ before: CUTOFF, now: NOW });

    expect(counts).toMatchObject({ jobs: 1 });
    expect((await store.jobs.list()).map((j) => j.idempotencyKey).sort()).toEqual([
      "new-done",
      "old-dead",
      "old-queued",
    ]);
  });

  it("removes expired leases and keeps live ones", async () => {
    await store.leases.acquire({ name: "expired", owner: "w", now: days(1), ttlMs: 1000 });
    await store.leases.acquire({ name: "live", owner: "w", now: NOW, ttlMs: 60_000 });

    const counts = await store.retention.prune({ before: CUTOFF, now: NOW });

    expect(counts).toMatchObject({ leases: 1 });
    expect(await store.leases.acquire({ name: "expired", owner: "other", now: NOW, ttlMs: 1000 })).toBe(true);
    expect(await store.leases.acquire({ name: "live", owner: "other", now: NOW, ttlMs: 1000 })).toBe(false);
  });

  it("keeps the newest history points of every finding however old they are", async () => {
    const extra = 30;
    for (let i = 0; i < KEPT_EVALUATIONS_PER_FINDING + extra; i++) {
      const observedAt = new Date(days(400).getTime() + i * 3_600_000).toISOString();
      await store.findings.addEvaluation({
        repo: REPO,
        fingerprint: "F",
        evaluation: {
          observedAt,
          metric: "m",
          value: i,
          breached: false,
          expected: false,
          severity: "info",
          signalId: `s${i}`,
        },
      });
    }
    await store.findings.addEvaluation({
      repo: REPO,
      fingerprint: "G",
      evaluation: {
        observedAt: days(400).toISOString(),
        metric: "m",
        value: 1,
        breached: false,
        expected: false,
        severity: "info",
        signalId: "g",
      },
    });

    const counts = await store.retention.prune({ before: CUTOFF, now: NOW });

    expect(counts.evaluations).toBe(extra);
    const left = await store.findings.evaluations({ repo: REPO, fingerprint: "F", limit: 1000 });
    expect(left).toHaveLength(KEPT_EVALUATIONS_PER_FINDING);
    expect(left[0]?.value).toBe(extra);
    expect(await store.findings.evaluations({ repo: REPO, fingerprint: "G" })).toHaveLength(1);
  });
});

describe.each(BACKENDS)("$name retention of caches, finished work and the audit log", (backend) => {
  const ctx = useStore(backend);
  beforeEach(() => {
    store = ctx.store;
  });

  it("prunes parse cache entries by last use: an entry read since the last prune survives, one unused for the window goes", async () => {
    await store.parseCache.putMany([
      { key: "v1:read", value: 1 },
      { key: "v1:idle", value: 2 },
    ]);
    // The first prune stamps both as used at days(100); nothing is old enough yet.
    expect((await store.retention.prune({ before: days(190), now: days(100) })).parseCache).toBe(0);
    await store.parseCache.getMany(["v1:read"]);
    // 100 days on: "idle" was last used at days(100) < cutoff; "read" was used since and is stamped now.
    const counts = await store.retention.prune({ before: days(80), now: NOW });
    expect(counts.parseCache).toBe(1);
    expect([...(await store.parseCache.getMany(["v1:read", "v1:idle"])).keys()]).toEqual(["v1:read"]);
  });

  it("prunes repo_state rows of finished work older than the window and keeps the repository's standing state", async () => {
    const put = (key: string, age: number) =>
      store.repoState.put({ repo: REPO, key, value: true, now: days(age) });
    await put("commands-done:123", 120);
    await put("check:Backflow: contract impact:abc", 120);
    await put("impact:abc", 120);
    await put("reply:9", 10);
    await put("config-validation", 120);
    await put("dashboard-pin", 120);
    const counts = await store.retention.prune({ before: CUTOFF, now: NOW });
    expect(counts.repoState).toBe(3);
    expect(await store.repoState.get({ repo: REPO, key: "commands-done:123" })).toBeNull();
    expect(await store.repoState.get({ repo: REPO, key: "impact:abc" })).toBeNull();
    expect(await store.repoState.get({ repo: REPO, key: "reply:9" })).toBe(true);
    expect(await store.repoState.get({ repo: REPO, key: "config-validation" })).toBe(true);
    expect(await store.repoState.get({ repo: REPO, key: "dashboard-pin" })).toBe(true);
  });

  it("prunes canaries whose window ended before the cutoff and whose outcome is stored, and no other", async () => {
    // `pr` merged `age` days ago with a 3-day window; `end` stores its outcome.
    const canary = async (pr: number, age: number, end: boolean) => {
      const mergedAt = days(age);
      const id = `${REPO}#${pr}`;
      const windowEnds = new Date(mergedAt.getTime() + 3 * 86_400_000);
      await store.canaries.add(
        canaryRecord({ id, pr, mergedAt, windowEnds, createdAt: mergedAt, updatedAt: mergedAt }),
      );
      if (end) await store.canaries.end({ id, state: "clean", summary: "clean", now: windowEnds });
      return id;
    };
    const old = await canary(1, 120, true);
    const oldWithoutOutcome = await canary(2, 120, false);
    // Merged 92 days ago: its window ended 89 days ago, inside the retention window.
    const endedInside = await canary(3, 92, true);
    const recent = await canary(4, 10, true);
    const running = await canary(5, 1, false);

    const counts = await store.retention.prune({ before: CUTOFF, now: NOW });

    expect(counts.canaries).toBe(1);
    expect(await store.canaries.get(old)).toBeNull();
    for (const id of [oldWithoutOutcome, endedInside, recent, running])
      expect(await store.canaries.get(id)).not.toBeNull();
    expect((await store.retention.prune({ before: CUTOFF, now: NOW })).canaries).toBe(0);
  });

  it("prunes a canary's comment record with other finished work", async () => {
    await store.repoState.put({
      repo: REPO,
      key: "canary-comment:7:end",
      value: { id: 1, hash: "h" },
      now: days(120),
    });
    await store.repoState.put({
      repo: REPO,
      key: "canary-comment:8:end",
      value: { id: 2, hash: "h" },
      now: days(1),
    });
    expect((await store.retention.prune({ before: CUTOFF, now: NOW })).repoState).toBe(1);
    expect(await store.repoState.get({ repo: REPO, key: "canary-comment:7:end" })).toBeNull();
    expect(await store.repoState.get({ repo: REPO, key: "canary-comment:8:end" })).not.toBeNull();
  });

  it("prunes the audit log by its own window, and keeps it all without one", async () => {
    const entry = (age: number) => ({
      at: days(age),
      actor: "ada",
      action: "snooze",
      repo: REPO,
      target: "F",
      detail: {},
    });
    await store.audit.record(entry(400));
    await store.audit.record(entry(100));
    expect((await store.retention.prune({ before: CUTOFF, now: NOW })).audit).toBe(0);
    expect(await store.audit.list()).toHaveLength(2);
    expect((await store.retention.prune({ before: CUTOFF, now: NOW, auditBefore: days(365) })).audit).toBe(1);
    expect((await store.audit.list()).map((e) => e.at)).toEqual([days(100)]);
  });
});
