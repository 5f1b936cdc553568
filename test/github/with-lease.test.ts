import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { leaseOwner, withLease } from "../../src/github/with-lease.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { LeaseStore } from "../../src/store/store.js";

const t0 = new Date("2025-01-01T00:00:00Z");

describe("withLease", () => {
  let store: SqliteStore;
  let acquires: number;
  let leases: LeaseStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
    acquires = 0;
    // The real store, counting how often the database is asked for the lease.
    leases = {
      acquire: (input) => {
        acquires += 1;
        return store.leases.acquire(input);
      },
      renew: (input) => store.leases.renew(input),
      release: (input) => store.leases.release(input),
    };
  });
  afterEach(() => store.close());

  it("serializes two callers; the waiter is woken by the release instead of polling every 25 ms", async () => {
    const order: string[] = [];
    const clock = () => t0;
    const first = withLease({ store: { leases }, name: "n", owner: leaseOwner("a"), clock }, async () => {
      order.push("a:start");
      await sleep(400);
      order.push("a:end");
    });
    await sleep(5);
    const second = withLease({ store: { leases }, name: "n", owner: leaseOwner("b"), clock }, async () => {
      order.push("b");
    });
    expect((await first).acquired).toBe(true);
    expect(await second).toEqual({ acquired: true, value: undefined });
    expect(order).toEqual(["a:start", "a:end", "b"]);
    // 25, 50, 100, 200 ms of backoff, then the release wakes it: at most 7 asks, not 16.
    expect(acquires).toBeLessThanOrEqual(7);
  });

  it("gives up after waitMs of waiting even when the injected clock stands still", async () => {
    await store.leases.acquire({ name: "n", owner: "holder", now: t0, ttlMs: 60_000 });
    const outcome = await withLease(
      { store: { leases }, name: "n", owner: "late", clock: () => t0, waitMs: 200 },
      async () => "ran",
    );
    expect(outcome).toEqual({ acquired: false });
    expect(acquires).toBeLessThanOrEqual(5);
  });

  it("renews the lease while the work runs, so nobody else takes it after ttlMs", async () => {
    let now = t0;
    const clock = () => now;
    let stolen: boolean | undefined;
    let aborted = false;
    await withLease({ store: { leases }, name: "n", owner: "worker", clock, ttlMs: 90 }, async (signal) => {
      for (let i = 0; i < 8; i += 1) {
        await sleep(40);
        now = new Date(now.getTime() + 40);
      }
      stolen = await store.leases.acquire({ name: "n", owner: "thief", now, ttlMs: 90 });
      aborted = signal.aborted;
    });
    expect(stolen).toBe(false);
    expect(aborted).toBe(false);
  });

  it("aborts the work's signal when another owner took the lease over", async () => {
    let now = t0;
    const clock = () => now;
    const reason = await withLease(
      { store: { leases }, name: "n", owner: "slow", clock, ttlMs: 90 },
      async (signal) => {
        // The holder stalls past its lease (its clock jumps), and another owner takes the lease.
        now = new Date(now.getTime() + 1000);
        expect(await store.leases.acquire({ name: "n", owner: "next", now, ttlMs: 60_000 })).toBe(true);
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        return String(signal.reason);
      },
    );
    expect(reason).toEqual({ acquired: true, value: expect.stringMatching(/taken over/) });
    // The old holder's release leaves the new owner's lease alone.
    expect(await store.leases.acquire({ name: "n", owner: "third", now, ttlMs: 1 })).toBe(false);
  });
});
