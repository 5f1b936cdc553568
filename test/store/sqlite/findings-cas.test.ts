import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { findingRecord } from "../../github/commands/fixtures.js";

const NOW = new Date("2026-11-25T12:00:00Z");

describe("findings change by compare-and-set and field-level writes", () => {
  it("refuses a put whose read is stale, and never lets one put overwrite a snooze", async () => {
    const store = openSqliteStore(":memory:");
    const first = findingRecord();
    expect(await store.findings.put(first, { ifUpdatedAt: null })).toBe(true);
    expect(await store.findings.put(first, { ifUpdatedAt: null })).toBe(false);
    const read = await store.findings.get(first);
    // A person snoozes while triage holds `read`.
    expect(await store.findings.snooze({ ...first, until: NOW, now: NOW })).toBe(true);
    expect(
      await store.findings.put({ ...first, bodyHash: "h2" }, { ifUpdatedAt: read?.updatedAt ?? null }),
    ).toBe(false);
    const fresh = await store.findings.get(first);
    expect(
      await store.findings.put(
        { ...first, bodyHash: "h2", snoozedUntil: null },
        { ifUpdatedAt: fresh?.updatedAt ?? null },
      ),
    ).toBe(true);
    expect(await store.findings.get(first)).toMatchObject({ bodyHash: "h2", snoozedUntil: NOW });
    await store.close();
  });

  it("moves state only from the state it expects", async () => {
    const store = openSqliteStore(":memory:");
    await store.findings.put(findingRecord());
    const key = { repo: findingRecord().repo, fingerprint: findingRecord().fingerprint };
    expect(await store.findings.transition({ ...key, from: "open", to: "resolved", now: NOW })).toBe(true);
    expect(await store.findings.transition({ ...key, from: "open", to: "resolved", now: NOW })).toBe(false);
    expect(await store.findings.get(key)).toMatchObject({
      state: "resolved",
      resolvedAt: NOW,
      bodyHash: "h1",
    });
    expect(await store.findings.transition({ ...key, from: "resolved", to: "open", now: NOW })).toBe(true);
    expect(await store.findings.get(key)).toMatchObject({ state: "open", resolvedAt: null });
    await store.close();
  });
});
