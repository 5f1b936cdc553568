import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../src/store/store.js";
import { BACKENDS, twoInstances, useStore } from "./backends.js";

const t0 = new Date("2025-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe.each(BACKENDS)("$name lease store", (backend) => {
  const ctx = useStore(backend);

  it.each([
    { name: "a free lease", holder: null, owner: "b", now: 0, expected: true },
    { name: "a lease another owner holds", holder: "a", owner: "b", now: 999, expected: false },
    { name: "a lease whose holder's time ran out", holder: "a", owner: "b", now: 1000, expected: true },
    { name: "a lease the caller already holds (renewal)", holder: "b", owner: "b", now: 500, expected: true },
  ])("acquiring $name → $expected", async ({ holder, owner, now, expected }) => {
    const { leases } = ctx.store;
    if (holder)
      expect(await leases.acquire({ name: "acme/shop#7", owner: holder, now: t0, ttlMs: 1000 })).toBe(true);
    expect(await leases.acquire({ name: "acme/shop#7", owner, now: at(now), ttlMs: 1000 })).toBe(expected);
  });

  it("frees a lease on release by its holder but not by anyone else", async () => {
    const { leases } = ctx.store;
    await leases.acquire({ name: "n", owner: "a", now: t0, ttlMs: 60_000 });
    await leases.release({ name: "n", owner: "b" });
    expect(await leases.acquire({ name: "n", owner: "b", now: t0, ttlMs: 60_000 })).toBe(false);
    await leases.release({ name: "n", owner: "a" });
    expect(await leases.acquire({ name: "n", owner: "b", now: t0, ttlMs: 60_000 })).toBe(true);
  });

  it("keeps leases with different names independent", async () => {
    const { leases } = ctx.store;
    expect(await leases.acquire({ name: "one", owner: "a", now: t0, ttlMs: 1000 })).toBe(true);
    expect(await leases.acquire({ name: "two", owner: "b", now: t0, ttlMs: 1000 })).toBe(true);
  });

  it("extends the expiry when the holder re-acquires", async () => {
    const { leases } = ctx.store;
    await leases.acquire({ name: "n", owner: "a", now: t0, ttlMs: 1000 });
    await leases.acquire({ name: "n", owner: "a", now: at(900), ttlMs: 1000 });
    expect(await leases.acquire({ name: "n", owner: "b", now: at(1500), ttlMs: 1000 })).toBe(false);
    expect(await leases.acquire({ name: "n", owner: "b", now: at(1900), ttlMs: 1000 })).toBe(true);
  });

  it("renews a lease only for the owner still holding it, before it expires", async () => {
    const { leases } = ctx.store;
    await leases.acquire({ name: "n", owner: "a", now: t0, ttlMs: 1000 });
    expect(await leases.renew({ name: "n", owner: "b", now: at(500), ttlMs: 1000 })).toBe(false);
    expect(await leases.renew({ name: "n", owner: "a", now: at(500), ttlMs: 1000 })).toBe(true);
    expect(await leases.acquire({ name: "n", owner: "b", now: at(1200), ttlMs: 1000 })).toBe(false);
    expect(await leases.renew({ name: "n", owner: "a", now: at(1600), ttlMs: 1000 })).toBe(false);
  });

  it("gives a contested lease to exactly one of two instances racing for it", async () => {
    const pair = await twoInstances(backend, ctx);
    try {
      const owners = Array.from({ length: 20 }, (_, i) => `owner-${i}`);
      const results = await Promise.all(
        owners.map((owner, i) =>
          (i % 2 ? pair.a : pair.b).leases.acquire({ name: "contested", owner, now: t0, ttlMs: 60_000 }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = owners[results.indexOf(true)] ?? "";
      // The winner holds it: it renews, nobody else does.
      expect(await pair.a.leases.renew({ name: "contested", owner: winner, now: at(1), ttlMs: 1000 })).toBe(
        true,
      );
      expect(
        await pair.b.leases.renew({ name: "contested", owner: "owner-x", now: at(1), ttlMs: 1000 }),
      ).toBe(false);
    } finally {
      await pair.close();
    }
  });
});

const entry = (minute: number, repo: string | null, action: string): AuditEntry => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, minute)),
  actor: "octocat",
  action,
  repo,
  target: `issue#${minute}`,
  detail: { minute, nested: { ok: true } },
});

describe.each(BACKENDS)("$name audit store", (backend) => {
  const ctx = useStore(backend);
  const seed = async () => {
    for (const e of [
      entry(1, "acme/shop", "issue.opened"),
      entry(2, "acme/shop", "pr.opened"),
      entry(3, "acme/other", "issue.opened"),
      entry(4, null, "config.invalid"),
    ]) {
      await ctx.store.audit.record(e);
    }
  };

  it("returns entries newest first with their detail intact", async () => {
    await seed();
    const all = await ctx.store.audit.list();
    expect(all.map((e) => e.target)).toEqual(["issue#4", "issue#3", "issue#2", "issue#1"]);
    expect(all[3]).toEqual(entry(1, "acme/shop", "issue.opened"));
  });

  it.each([
    { filter: { repo: "acme/shop" }, targets: ["issue#2", "issue#1"] },
    { filter: { action: "issue.opened" }, targets: ["issue#3", "issue#1"] },
    { filter: { repo: "acme/shop", action: "pr.opened" }, targets: ["issue#2"] },
    { filter: { limit: 2 }, targets: ["issue#4", "issue#3"] },
    { filter: { repo: "nobody/none" }, targets: [] },
  ])("filters by $filter", async ({ filter, targets }) => {
    await seed();
    expect((await ctx.store.audit.list(filter)).map((e) => e.target)).toEqual(targets);
  });

  it("keeps a detail of any JSON shape: key order, unicode, NUL escapes, undefined as null", async () => {
    const detail = { z: 1, a: [1.5, "é ✓ \u0000 end"], m: { y: null, b: true } };
    await ctx.store.audit.record({ ...entry(5, "acme/shop", "x"), detail });
    await ctx.store.audit.record({ ...entry(6, "acme/shop", "y"), detail: undefined });
    const [none, kept] = await ctx.store.audit.list({ repo: "acme/shop" });
    expect(JSON.stringify(kept?.detail)).toBe(JSON.stringify(detail));
    expect(none?.detail).toBeNull();
  });
});

describe.each(BACKENDS)("$name parse cache", (backend) => {
  const ctx = useStore(backend);

  it("returns only the keys it holds", async () => {
    await ctx.store.parseCache.putMany([
      { key: "v1:abc", value: { tables: ["orders"] } },
      { key: "v1:def", value: [1, 2] },
    ]);
    const found = await ctx.store.parseCache.getMany(["v1:abc", "v1:missing", "v1:def"]);
    expect([...found.entries()].sort()).toEqual([
      ["v1:abc", { tables: ["orders"] }],
      ["v1:def", [1, 2]],
    ]);
  });

  it("replaces a value written again under the same key, also within one call", async () => {
    await ctx.store.parseCache.putMany([{ key: "k", value: 1 }]);
    await ctx.store.parseCache.putMany([{ key: "k", value: 2 }]);
    expect((await ctx.store.parseCache.getMany(["k"])).get("k")).toBe(2);
    await ctx.store.parseCache.putMany([
      { key: "j", value: "first" },
      { key: "j", value: "last" },
    ]);
    expect((await ctx.store.parseCache.getMany(["j", "j"])).get("j")).toBe("last");
  });

  it("answers for more keys than one SQL statement may bind", async () => {
    const entries = Array.from({ length: 1200 }, (_, i) => ({ key: `sha${i}`, value: i }));
    await ctx.store.parseCache.putMany(entries);
    const found = await ctx.store.parseCache.getMany(entries.map((e) => e.key));
    expect(found.size).toBe(1200);
    expect(found.get("sha1199")).toBe(1199);
  });

  it("keeps the key order of a cached object (analysis output must not change with the backend)", async () => {
    const value = { zeta: 1, alpha: { c: 3, b: 2 }, mid: [{ y: 1, x: 2 }] };
    await ctx.store.parseCache.putMany([{ key: "order", value }]);
    expect(JSON.stringify((await ctx.store.parseCache.getMany(["order"])).get("order"))).toBe(
      JSON.stringify(value),
    );
  });

  it("returns an empty map for no keys, and stores nothing for no entries", async () => {
    await ctx.store.parseCache.putMany([]);
    expect((await ctx.store.parseCache.getMany([])).size).toBe(0);
  });
});

describe.each(BACKENDS)("$name repository state", (backend) => {
  const ctx = useStore(backend);
  const now = t0;

  it.each([
    { name: "an object", value: { checkRunId: 12, names: ["a"] } },
    { name: "a number", value: 42 },
    { name: "a string", value: "main" },
    { name: "a boolean", value: false },
    { name: "null", value: null },
  ])("round-trips $name", async ({ value }) => {
    await ctx.store.repoState.put({ repo: "acme/shop", key: "k", value, now });
    expect(await ctx.store.repoState.get({ repo: "acme/shop", key: "k" })).toEqual(value);
  });

  it("returns null for a missing key and keeps repositories apart", async () => {
    await ctx.store.repoState.put({ repo: "acme/shop", key: "k", value: 1, now });
    expect(await ctx.store.repoState.get({ repo: "acme/other", key: "k" })).toBeNull();
  });

  it("overwrites on put and forgets on delete", async () => {
    await ctx.store.repoState.put({ repo: "r", key: "k", value: 1, now });
    await ctx.store.repoState.put({ repo: "r", key: "k", value: 2, now });
    expect(await ctx.store.repoState.get({ repo: "r", key: "k" })).toBe(2);
    await ctx.store.repoState.delete({ repo: "r", key: "k" });
    expect(await ctx.store.repoState.get({ repo: "r", key: "k" })).toBeNull();
  });

  it("lets only the first writer set a key with putIfAbsent", async () => {
    expect(await ctx.store.repoState.putIfAbsent({ repo: "r", key: "dash", value: 7, now })).toBe(true);
    expect(await ctx.store.repoState.putIfAbsent({ repo: "r", key: "dash", value: 8, now })).toBe(false);
    expect(await ctx.store.repoState.get({ repo: "r", key: "dash" })).toBe(7);
  });

  it("decides putIfAbsent once across two instances on one database", async () => {
    const pair = await twoInstances(backend, ctx);
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? pair.a : pair.b).repoState.putIfAbsent({ repo: "r", key: "k", value: i, now }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await pair.a.repoState.get({ repo: "r", key: "k" })).toBe(results.indexOf(true));
    } finally {
      await pair.close();
    }
  });
});
