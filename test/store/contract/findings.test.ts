import { describe, expect, it } from "vitest";
import type { Annotation } from "../../../src/core/triage/annotations.js";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";
import type { Finding } from "../../../src/core/triage/triage-signal.js";
import type { FindingRecord } from "../../../src/store/store.js";
import { findingRecord } from "../../github/commands/fixtures.js";
import { BACKENDS, twoInstances, useStore } from "./backends.js";

const repo = "acme/shop";
const fingerprint = "f".repeat(64);

const point = (observedAt: string, value: number, signalId?: string): Evaluation => ({
  observedAt,
  metric: "completeness",
  value,
  breached: value < 0.99,
  expected: false,
  severity: "error",
  ...(signalId ? { signalId } : {}),
});

const finding: Finding = {
  fingerprint,
  repo,
  dataset: "analytics.fct_orders",
  tableId: "fct_orders",
  match: "suffix",
  candidates: [],
  column: "customer_id",
  metric: "completeness",
  kind: "completeness",
  observed: 0.93,
  threshold: { from: "config", min: 0.99 },
  breached: true,
  reason: "completeness = 0.93 is below the minimum 0.99",
  severity: "error",
  decision: "open",
  comment: true,
  annotations: [],
  suspects: [],
  signalIds: ["s1"],
  observedAt: "2026-11-24T06:00:00Z",
  evaluation: point("2026-11-24T06:00:00Z", 0.93, "s1"),
};

const record = (over: Partial<FindingRecord> = {}): FindingRecord => ({
  repo,
  fingerprint,
  state: "open",
  issueNumber: 7,
  severity: "error",
  openedAt: new Date("2026-11-24T06:01:00Z"),
  resolvedAt: null,
  lastCommentAt: null,
  lastCommentSignalId: null,
  snoozedUntil: null,
  bodyHash: "h1",
  finding,
  updatedAt: new Date("2026-11-24T06:01:00Z"),
  ...over,
});

describe.each(BACKENDS)("$name finding store", (backend) => {
  const ctx = useStore(backend);

  it("returns what was put and replaces it on the next put", async () => {
    const store = ctx.store;
    expect(await store.findings.get({ repo, fingerprint })).toBeNull();
    await store.findings.put(record());
    expect(await store.findings.get({ repo, fingerprint })).toEqual(record());
    const closed = record({
      state: "resolved",
      resolvedAt: new Date("2026-11-25T00:00:00Z"),
      bodyHash: "h2",
    });
    await store.findings.put(closed);
    expect(await store.findings.get({ repo, fingerprint })).toEqual(closed);
    expect(await store.findings.list({ repo, state: "open" })).toEqual([]);
    expect((await store.findings.list({ repo })).map((r) => r.state)).toEqual(["resolved"]);
  });

  it("keeps one history point per observation and returns them in signal time", async () => {
    const store = ctx.store;
    const later = point("2026-11-24T08:00:00Z", 0.95, "s2");
    const earlier = point("2026-11-24T06:00:00Z", 0.93, "s1");
    expect(await store.findings.addEvaluation({ repo, fingerprint, evaluation: later })).toBe(true);
    expect(await store.findings.addEvaluation({ repo, fingerprint, evaluation: earlier })).toBe(true);
    // The same measurement under another signal id (a sender that sets none, a second delivery).
    expect(
      await store.findings.addEvaluation({
        repo,
        fingerprint,
        evaluation: { ...earlier, signalId: "other" },
      }),
    ).toBe(false);
    const anonymous = point("2026-11-24T07:00:00Z", 0.97);
    expect(await store.findings.addEvaluation({ repo, fingerprint, evaluation: anonymous })).toBe(true);
    expect(await store.findings.addEvaluation({ repo, fingerprint, evaluation: anonymous })).toBe(false);
    const corrected = point("2026-11-24T07:00:00Z", 0.96);
    expect(await store.findings.addEvaluation({ repo, fingerprint, evaluation: corrected })).toBe(true);
    const history = await store.findings.evaluations({ repo, fingerprint });
    expect(history.map((e) => e.value)).toEqual([0.93, 0.96, 0.97, 0.95]);
    expect((await store.findings.evaluations({ repo, fingerprint, limit: 2 })).map((e) => e.value)).toEqual([
      0.97, 0.95,
    ]);
    expect(await store.findings.evaluations({ repo: "other/repo", fingerprint })).toEqual([]);
  });
});

describe.each(BACKENDS)("$name annotation store", (backend) => {
  const ctx = useStore(backend);

  const annotation = (over: Partial<Annotation>): Annotation => ({
    id: "a1",
    repo,
    dataset: "fct_*",
    kind: "seasonality",
    note: "Black Friday",
    author: "alice",
    createdAt: "2026-11-20T00:00:00.000Z",
    ...over,
  });

  it.each([
    { at: "2026-11-27T12:00:00Z", active: ["bounded", "open-ended", "since-always"] },
    { at: "2026-11-26T00:00:00Z", active: ["bounded", "open-ended", "since-always"] },
    { at: "2026-11-25T23:59:59Z", active: ["since-always"] },
    { at: "2026-12-05T00:00:00Z", active: ["open-ended"] },
  ])("lists the annotations whose window contains $at", async ({ at, active }) => {
    const store = ctx.store;
    await store.annotations.add(
      annotation({ id: "bounded", from: "2026-11-26T00:00:00.000Z", to: "2026-11-30T00:00:00.000Z" }),
    );
    await store.annotations.add(annotation({ id: "open-ended", from: "2026-11-26T00:00:00.000Z" }));
    await store.annotations.add(annotation({ id: "since-always", to: "2026-11-28T00:00:00.000Z" }));
    await store.annotations.add(annotation({ id: "elsewhere", repo: "acme/other" }));
    const listed = await store.annotations.listActive({ repo, at: new Date(at) });
    expect(listed.map((a) => a.id).sort()).toEqual(active);
  });

  it("stores an id once and returns it as it was given", async () => {
    const store = ctx.store;
    const a = annotation({ from: "2026-11-26T00:00:00.000Z" });
    expect(await store.annotations.add(a)).toBe(true);
    expect(await store.annotations.add({ ...a, note: "changed" })).toBe(false);
    expect(await store.annotations.listActive({ repo, at: new Date("2026-11-27T00:00:00Z") })).toEqual([a]);
  });
});

const NOW = new Date("2026-11-25T12:00:00Z");

describe.each(BACKENDS)("$name findings change by compare-and-set and field-level writes", (backend) => {
  const ctx = useStore(backend);

  it("refuses a put whose read is stale, and never lets one put overwrite a snooze", async () => {
    const store = ctx.store;
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
  });

  it("moves state only from the state it expects", async () => {
    const store = ctx.store;
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
  });
});

describe.each(BACKENDS)("$name finding compare-and-set across instances", (backend) => {
  const ctx = useStore(backend);
  it("lets exactly one of many instances' writes from the same read win", async () => {
    const pair = await twoInstances(backend, ctx);
    try {
      const first = findingRecord();
      await pair.a.findings.put(first, { ifUpdatedAt: null });
      const read = await pair.b.findings.get(first);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? pair.a : pair.b).findings.put(
            { ...first, bodyHash: `h-${i}`, updatedAt: read?.updatedAt ?? first.updatedAt },
            { ifUpdatedAt: read?.updatedAt ?? null },
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const after = await pair.a.findings.get(first);
      expect(after?.bodyHash).toBe(`h-${results.indexOf(true)}`);
      // The winner moved updatedAt forward even though it wrote the same time it read.
      expect(after?.updatedAt.getTime()).toBeGreaterThan(read?.updatedAt.getTime() ?? 0);
    } finally {
      await pair.close();
    }
  });
});
