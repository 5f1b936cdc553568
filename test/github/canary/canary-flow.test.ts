import { afterEach, describe, expect, it } from "vitest";
import { canaryIdOf } from "../../../src/core/canary/canary-record.js";
import { rollbackAttributedMerge } from "../../../src/github/canary/rollback-attributed-merge.js";
import type { OpenRevertInput } from "../../../src/github/expectations/open-revert.js";
import { readGolden } from "../../golden/golden-file.js";
import {
  AUTHOR,
  type CanaryWorld,
  canaryConfig,
  canaryWorld,
  OWNER,
  plusHours,
  REPO,
  WATCHED,
  worldTarget,
} from "./canary-harness.js";

const T0 = new Date("2026-01-01T00:00:00Z");
const MERGED = plusHours(T0, 72);
const SHA = "b7".repeat(20);
const ID = canaryIdOf(`${OWNER}/${REPO}`, 7);

let world: CanaryWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function start(extra = ""): Promise<CanaryWorld> {
  world = await canaryWorld({
    start: T0,
    config: canaryConfig(extra),
    merges: [{ pr: 7, sha: SHA, mergedAt: MERGED }],
  });
  return world;
}

/** Ten healthy points, every 6 hours, before the merge. */
async function healthyHistory(w: CanaryWorld, value = 1000): Promise<void> {
  for (let i = 0; i < 10; i++) await w.signal(`h${i}`, plusHours(T0, 6 * i), value + (i % 3) * 10);
}

const prComments = (w: CanaryWorld) => w.github.comments.filter((c) => c.issue === 7);

/** `/backflow rollback` on drift issue `issueNumber`, with the revert writer replaced by `open`. */
async function rollbackOn(
  w: CanaryWorld,
  issueNumber: number,
  open: Parameters<typeof rollbackAttributedMerge>[0]["open"],
) {
  return rollbackAttributedMerge({
    ...(await worldTarget(w)),
    issueNumber,
    actor: "maintainer",
    ...(open ? { open } : {}),
  });
}

describe("post-merge canary", () => {
  it("records what the merge's impact names, with its window, once however often the merge is delivered", async () => {
    const w = await start();
    await w.merge({ pr: 7, sha: SHA, at: MERGED });
    await w.merge({ pr: 7, sha: SHA, at: MERGED });
    const canary = await w.store.canaries.get(ID);
    expect(canary).toMatchObject({
      pr: 7,
      mergeSha: SHA,
      mergedAt: MERGED,
      author: AUTHOR,
      windowEnds: plusHours(MERGED, 72),
      state: "watching",
    });
    const watched = canary?.watched.map((x) => (x.column ? `${x.tableId}.${x.column}` : x.tableId)) ?? [];
    // The changed column and what reads it downstream.
    expect(watched).toContain("fct_orders.amount");
    expect(watched.length).toBeGreaterThan(1);
    expect(watched.every((x) => !x.startsWith("stg_"))).toBe(true);
    const jobs = await w.store.jobs.list({ kind: "canary-window-end" });
    expect(jobs.map((j) => [j.payload, j.runAt])).toEqual([
      [{ repo: `${OWNER}/${REPO}`, id: ID }, plusHours(MERGED, 72)],
    ]);
  });

  it("leaves a column an `expects:` block names to its expectation, and watches the rest", async () => {
    const w = await start();
    const body =
      "Stop coalescing.\n\n```expects\n- metric: amount_sum(fct_orders.amount) within 10% of baseline for 3d\n```";
    await w.merge({ pr: 7, sha: SHA, at: MERGED, body });
    expect(
      (await w.store.expectations.list({ repo: `${OWNER}/${REPO}`.toLowerCase() })).map((x) => x.spec.column),
    ).toEqual(["amount"]);
    const watched = (await w.store.canaries.get(ID))?.watched.map((x) => `${x.tableId}.${x.column}`);
    expect(watched).toEqual(
      WATCHED.slice(1)
        .map(([t, c]) => `${t}.${c}`)
        .sort(),
    );
  });

  it("records nothing under `canary: off`", async () => {
    const w = await start("canary: off\n");
    await w.merge({ pr: 7, sha: SHA, at: MERGED });
    expect(await w.store.canaries.get(ID)).toBeNull();
    expect(await w.store.jobs.list({ kind: "canary-window-end" })).toEqual([]);
  });

  it("attributes a regression that starts after the merge: one PR comment, the PR first among the drift issue's suspects", async () => {
    const w = await start();
    await healthyHistory(w);
    await w.merge({ pr: 7, sha: SHA, at: MERGED });
    await w.signal("a1", plusHours(MERGED, 6), 640);
    expect(prComments(w)).toEqual([]); // one breach is not a regression yet (2 in a row)
    await w.signal("a2", plusHours(MERGED, 12), 650);
    await w.signal("a3", plusHours(MERGED, 18), 640);

    const comments = prComments(w);
    expect(comments).toHaveLength(1);
    const golden = readGolden("canary-pr-regression.md", comments[0]?.body ?? "");
    expect(comments[0]?.body).toBe(golden);
    expect(golden).toContain("`fct_orders.amount` `amount_sum` −36% since this merge");
    expect(golden).toContain("/backflow rollback");

    const canary = await w.store.canaries.get(ID);
    expect(canary?.state).toBe("regressed");
    expect(canary?.evidence).toHaveLength(1);

    const issue = [...w.github.issues.values()].find((i) => i.body.includes("amount_sum"));
    expect(issue).toBeDefined();
    const body = issue?.body ?? "";
    const pulls = body.indexOf("#### Suspect pull requests");
    expect(pulls).toBeGreaterThan(-1);
    // Ranked first: the section comes before the column suspects, and #7 is its first row.
    expect(pulls).toBeLessThan(body.indexOf("#### Suspects"));
    const firstRow = body
      .slice(pulls)
      .split("\n")
      .find((l) => l.startsWith("| #"));
    expect(firstRow).toContain("| #7 |");
    expect(firstRow).toContain(`\`${AUTHOR}\``);
    expect(firstRow).toContain("**canary:**");
    expect(firstRow).toContain("`/backflow rollback` here (or on #7) opens its revert");

    // `/backflow rollback` on the drift issue reverts the merge the canary caught.
    const reverts: OpenRevertInput[] = [];
    const rollback = await rollbackOn(w, issue?.number ?? 0, async (input) => {
      reverts.push(input);
      return { number: 90, merged: false };
    });
    expect(rollback).toEqual({ ok: true, pr: 7, revertPr: 90 });
    expect(reverts.map((r) => [r.pr, r.mergeSha, r.author, r.autoMerge])).toEqual([[7, SHA, AUTHOR, false]]);

    // The window's end adds nothing to a regression already commented.
    expect(await w.endWindows(plusHours(MERGED, 72))).toBe(1);
    expect(prComments(w)).toHaveLength(1);
    expect(await w.store.canaries.get(ID)).toMatchObject({ state: "regressed", ended: true });
  });

  it("does not attribute a regression that started before the merge", async () => {
    const w = await start();
    await healthyHistory(w);
    await w.signal("b1", plusHours(MERGED, -12), 640);
    await w.signal("b2", plusHours(MERGED, -6), 650);
    await w.merge({ pr: 7, sha: SHA, at: MERGED });
    await w.signal("b3", plusHours(MERGED, 6), 640);
    await w.signal("b4", plusHours(MERGED, 12), 630);
    expect(prComments(w)).toEqual([]);
    const issue = [...w.github.issues.values()].find((i) => i.body.includes("amount_sum"));
    expect(issue?.body).not.toContain("**canary:**");

    const refused = await rollbackOn(w, issue?.number ?? 0, async () => {
      throw new Error("no revert may be opened");
    });
    expect(refused).toMatchObject({ ok: false, problem: expect.stringContaining("no post-merge canary") });
    await w.endWindows(plusHours(MERGED, 72));
    const end = prComments(w);
    expect(end).toHaveLength(1);
    expect(end[0]?.body).toContain("already breaching before the merge (not attributed)");
    expect((await w.store.canaries.get(ID))?.state).not.toBe("regressed");
  });

  it("does not attribute breaches an annotation covers", async () => {
    const w = await start();
    await healthyHistory(w);
    await w.store.annotations.add({
      id: "ann-migration",
      repo: `${OWNER}/${REPO}`,
      dataset: "fct_*",
      kind: "maintenance",
      from: plusHours(MERGED, 1).toISOString(),
      to: plusHours(MERGED, 30).toISOString(),
      note: "payments backfill",
      author: "ops",
      createdAt: T0.toISOString(),
    });
    await w.merge({ pr: 7, sha: SHA, at: MERGED });
    await w.signal("c1", plusHours(MERGED, 6), 640);
    await w.signal("c2", plusHours(MERGED, 12), 650);
    await w.signal("c3", plusHours(MERGED, 36), 1005);
    expect(prComments(w)).toEqual([]);
    await w.endWindows(plusHours(MERGED, 72));
    const end = prComments(w);
    expect(end).toHaveLength(1);
    expect(end[0]?.body).toContain("explained by an annotation (not attributed)");
    expect(end[0]?.body).toContain("`ann-migration`");
    expect((await w.store.canaries.get(ID))?.state).toBe("clean");
  });

  it("says at the window's end that no signal arrived, instead of claiming success", async () => {
    const w = await start();
    await w.merge({ pr: 7, sha: SHA, at: MERGED });
    expect(await w.endWindows(plusHours(MERGED, 71))).toBe(0); // not due yet
    expect(await w.endWindows(plusHours(MERGED, 72))).toBe(1);
    const end = prComments(w);
    expect(end).toHaveLength(1);
    const golden = readGolden("canary-pr-no-signal.md", end[0]?.body ?? "");
    expect(end[0]?.body).toBe(golden);
    expect(golden).toContain("the canary cannot tell");
    expect(golden).not.toContain("no regression");
    expect((await w.store.canaries.get(ID))?.state).toBe("no-signal");
    // A redelivered window-end job changes nothing.
    expect(await w.endWindows(plusHours(MERGED, 80))).toBe(0);
    expect(prComments(w)).toHaveLength(1);
  });

  it("ends a clean window with one short comment, or none under `canary.quiet`", async () => {
    for (const quiet of [false, true]) {
      const w = await start(quiet ? "canary: { quiet: true }\n" : "");
      await healthyHistory(w);
      for (const [t, c] of WATCHED.slice(1))
        for (let i = 0; i < 4; i++) await w.signal(`${t}.${c}.${i}`, plusHours(T0, 12 * i), 1000 + i, [t, c]);
      await w.merge({ pr: 7, sha: SHA, at: MERGED });
      for (const [t, c] of WATCHED)
        for (let i = 1; i <= 2; i++)
          await w.signal(`${t}.${c}.q${i}`, plusHours(MERGED, 24 * i), 1005 + i, [t, c]);
      await w.endWindows(plusHours(MERGED, 72));
      expect((await w.store.canaries.get(ID))?.state).toBe("clean");
      const end = prComments(w);
      if (quiet) expect(end).toEqual([]);
      else {
        expect(end).toHaveLength(1);
        const golden = readGolden("canary-pr-clean.md", end[0]?.body ?? "");
        expect(end[0]?.body).toBe(golden);
        expect(golden.split("\n")[1]).toBe("**canary:** no regression on 5 watched columns over 3 days.");
      }
      await w.close();
      world = undefined;
    }
  });
});
