import { afterEach, describe, expect, it } from "vitest";
import { canaryIdOf } from "../../../src/core/canary/canary-record.js";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { endCanaryWindow } from "../../../src/github/canary/end-canary-window.js";
import { publishReview, REVIEW_LABEL } from "../../../src/github/review/publish-review.js";
import { LATEST_REVIEW_KEY } from "../../../src/github/review/review-job.js";
import { capturingLog, writesSent } from "../../helpers/dry-run-capture.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import {
  type CanaryWorld,
  canaryConfig,
  canaryWorld,
  OWNER,
  plusHours,
  REPO,
  worldTarget,
} from "./canary-harness.js";

const T0 = new Date("2026-01-01T00:00:00Z");
const MERGED = plusHours(T0, 72);
const SHA = "b7".repeat(20);
const REPO_KEY = repoKeyOf(OWNER, REPO);

let world: CanaryWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function dryTarget(w: CanaryWorld) {
  const { lines, log } = capturingLog();
  return { lines, target: await worldTarget(w, { log, dryRun: true }) };
}

describe("BACKFLOW_DRY_RUN=true for the canary and the review", () => {
  it("a canary's closing comment is logged with its marker, not posted, and no comment is remembered", async () => {
    const w = await canaryWorld({
      start: T0,
      config: canaryConfig(),
      merges: [{ pr: 7, sha: SHA, mergedAt: MERGED }],
    });
    world = w;
    await w.merge({ pr: 7, sha: SHA, at: MERGED });
    w.now = plusHours(MERGED, 72);
    const { lines, target } = await dryTarget(w);
    takeRecordedRequests();

    const ended = await endCanaryWindow({ ...target, id: canaryIdOf(REPO_KEY, 7) });

    expect(ended).toMatchObject({ action: "ended", state: "no-signal", comment: "dry-run" });
    expect(writesSent()).toEqual([]);
    expect(w.github.comments.filter((c) => c.issue === 7)).toEqual([]);
    const logged = lines.find((l) => l.msg === "dry run: would comment on #7");
    expect(logged?.payload).toMatchObject({ owner: OWNER, repo: REPO, issue_number: 7 });
    expect(String(logged?.payload?.body)).toContain(`<!-- backflow:canary ${REPO_KEY}#7 end -->`);
    expect(await w.store.repoState.get({ repo: REPO_KEY, key: "canary-comment:7:end" })).toBeNull();
  });

  it("a period's review issue and its label are logged, not created, and not remembered for the dashboard", async () => {
    const w = await canaryWorld({
      start: new Date("2026-03-01T00:05:00Z"),
      config: canaryConfig(),
      merges: [],
    });
    world = w;
    await w.store.audit.record({
      at: new Date("2026-02-10T00:00:00Z"),
      actor: "backflow",
      action: "drift.created",
      repo: REPO_KEY,
      target: "f".repeat(64),
      detail: { issue: 41 },
    });
    const { lines, target } = await dryTarget(w);
    takeRecordedRequests();

    const result = await publishReview(target);

    expect(result).toMatchObject({ action: "dry-run", period: "2026-02" });
    expect(writesSent()).toEqual([]);
    expect(w.github.issues.size).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        `dry run: would create label ${REVIEW_LABEL}`,
        "dry run: would create an issue",
      ]),
    );
    expect(lines.find((l) => l.msg === "dry run: would create an issue")?.payload).toMatchObject({
      title: "Backflow monthly review 2026-02",
      labels: [REVIEW_LABEL],
      body: expect.stringContaining("<!-- backflow:review 2026-02 -->"),
    });
    expect(await w.store.repoState.get({ repo: REPO_KEY, key: LATEST_REVIEW_KEY })).toBeNull();
  });
});
