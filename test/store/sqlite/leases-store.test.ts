import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

const t0 = new Date("2025-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("SQLite lease store", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  it.each([
    { name: "a free lease", holder: null, owner: "b", now: 0, expected: true },
    { name: "a lease another owner holds", holder: "a", owner: "b", now: 999, expected: false },
    { name: "a lease whose holder's time ran out", holder: "a", owner: "b", now: 1000, expected: true },
    { name: "a lease the caller already holds (renewal)", holder: "b", owner: "b", now: 500, expected: true },
  ])("acquiring $name → $expected", async ({ holder, owner, now, expected }) => {
    if (holder)
      expect(await store.leases.acquire({ name: "acme/shop#7", owner: holder, now: t0, ttlMs: 1000 })).toBe(
        true,
      );
    expect(await store.leases.acquire({ name: "acme/shop#7", owner, now: at(now), ttlMs: 1000 })).toBe(
      expected,
    );
  });

  it("frees a lease on release by its holder but not by anyone else", async () => {
    await store.leases.acquire({ name: "n", owner: "a", now: t0, ttlMs: 60_000 });
    await store.leases.release({ name: "n", owner: "b" });
    expect(await store.leases.acquire({ name: "n", owner: "b", now: t0, ttlMs: 60_000 })).toBe(false);
    await store.leases.release({ name: "n", owner: "a" });
    expect(await store.leases.acquire({ name: "n", owner: "b", now: t0, ttlMs: 60_000 })).toBe(true);
  });

  it("keeps leases with different names independent", async () => {
    expect(await store.leases.acquire({ name: "one", owner: "a", now: t0, ttlMs: 1000 })).toBe(true);
    expect(await store.leases.acquire({ name: "two", owner: "b", now: t0, ttlMs: 1000 })).toBe(true);
  });

  it("extends the expiry when the holder renews", async () => {
    await store.leases.acquire({ name: "n", owner: "a", now: t0, ttlMs: 1000 });
    await store.leases.acquire({ name: "n", owner: "a", now: at(900), ttlMs: 1000 });
    expect(await store.leases.acquire({ name: "n", owner: "b", now: at(1500), ttlMs: 1000 })).toBe(false);
    expect(await store.leases.acquire({ name: "n", owner: "b", now: at(1900), ttlMs: 1000 })).toBe(true);
  });
  it("renews a lease only for the owner still holding it, before it expires", async () => {
    await store.leases.acquire({ name: "n", owner: "a", now: t0, ttlMs: 1000 });
    expect(await store.leases.renew({ name: "n", owner: "b", now: at(500), ttlMs: 1000 })).toBe(false);
    expect(await store.leases.renew({ name: "n", owner: "a", now: at(500), ttlMs: 1000 })).toBe(true);
    // Renewed to 1500: another owner cannot take it at 1200.
    expect(await store.leases.acquire({ name: "n", owner: "b", now: at(1200), ttlMs: 1000 })).toBe(false);
    // Expired at 1500: a late renewal is refused, since another owner may have it already.
    expect(await store.leases.renew({ name: "n", owner: "a", now: at(1600), ttlMs: 1000 })).toBe(false);
  });
});
