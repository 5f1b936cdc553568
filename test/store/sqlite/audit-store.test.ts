import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { AuditEntry } from "../../../src/store/store.js";

const entry = (minute: number, repo: string | null, action: string): AuditEntry => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, minute)),
  actor: "octocat",
  action,
  repo,
  target: `issue#${minute}`,
  detail: { minute, nested: { ok: true } },
});

describe("SQLite audit store", () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = openSqliteStore(":memory:");
    for (const e of [
      entry(1, "acme/shop", "issue.opened"),
      entry(2, "acme/shop", "pr.opened"),
      entry(3, "acme/other", "issue.opened"),
      entry(4, null, "config.invalid"),
    ]) {
      await store.audit.record(e);
    }
  });
  afterEach(() => store.close());

  it("returns entries newest first with their detail intact", async () => {
    const all = await store.audit.list();
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
    expect((await store.audit.list(filter)).map((e) => e.target)).toEqual(targets);
  });
});
