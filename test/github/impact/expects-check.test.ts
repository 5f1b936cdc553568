import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_PATH } from "../../../src/core/config/schema.js";
import type { Store } from "../../../src/store/store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import { contentsPath } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { receive } from "../../helpers/payloads.js";
import {
  ackPayload,
  BASE,
  editedPayload,
  HEAD,
  mockCheckRuns,
  mockShopPullRequest,
  prPayload,
} from "./shop-pull-request.js";

const NOW = new Date("2025-06-01T12:00:00Z");

const VALID = [
  "Moves payments to the new source.",
  "",
  "```expects",
  "- metric: completeness(fct_orders.amount) >= 0.99 within 3d",
  "- metric: volume(stg_orders) within 5% of baseline for 7d",
  "```",
].join("\n");

/** Line 4 has no comparison; line 5 names a dataset the lineage does not have. */
const INVALID = [
  "Moves payments to the new source.",
  "",
  "```expects",
  "- metric: completeness(fct_orders.amount) about 0.99 within 3d",
  "- metric: volume(fct_order) within 5% of baseline for 7d",
  "```",
].join("\n");

let store: Store;
let probot: Probot;

beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
afterEach(() => stopBackflowApp(store));

/** Opens a pull request on the example shop with `body` and returns the check run writes. */
async function open(scenario: "breaking" | "non-breaking", body: string | null) {
  const payload = prPayload("opened", HEAD, { pull_request: { body } });
  const mocks = mockShopPullRequest(scenario, payload);
  const bodies = mockCheckRuns(mocks.scope, mocks.owner, mocks.repo);
  await receive(probot, "pull_request", payload);
  return { ...mocks, payload, bodies };
}

describe("the impact check run and the pull request's expects block", () => {
  it("lists the expectations it will watch and keeps the analysis conclusion for a valid block", async () => {
    const { bodies } = await open("non-breaking", VALID);

    const done = bodies.at(-1)?.body;
    expect(done?.conclusion).toBe("success");
    expect(done?.output?.title).toMatch(/^Non-breaking/);
    const summary = done?.output?.summary ?? "";
    expect(summary).toContain("### Expectations");
    expect(summary).toContain("Backflow will watch 2 expectations");
    expect(summary).toContain("| 4 | `completeness` | `fct_orders.amount` | `>= 0.99` | `within 3d` |");
    expect(summary).toContain("| 5 | `volume` | `stg_orders` | `within 5% of baseline` | `for 7d` |");
    expect(summary).not.toContain("problem");
  });

  it("fails with both problems and their lines for a bad comparison and an unknown dataset", async () => {
    const { bodies } = await open("non-breaking", INVALID);

    const done = bodies.at(-1)?.body;
    expect(done?.conclusion).toBe("failure");
    expect(done?.output?.title).toMatch(/^Invalid expects block: 2 problems · Non-breaking/);
    const summary = done?.output?.summary ?? "";
    expect(summary).toContain("- line 4: expected a comparison");
    expect(summary).toContain(
      "- line 5: dataset `fct_order` is not in the lineage — did you mean `fct_orders`?",
    );
    expect(summary).toContain("saving it re-runs this check");
  });

  it("says nothing about expectations when the body has no block", async () => {
    const { bodies } = await open("non-breaking", "Just a refactor.");

    const done = bodies.at(-1)?.body;
    expect(done?.conclusion).toBe("success");
    expect(done?.output?.summary).not.toContain("Expectations");
  });

  it("updates the check to the analysis conclusion when an edit of the body fixes the block", async () => {
    const { bodies } = await open("breaking", INVALID);
    expect(bodies.at(-1)?.body.conclusion).toBe("failure");

    await receive(
      probot,
      "pull_request",
      editedPayload({ body: VALID, changes: { body: { from: INVALID } } }),
    );

    expect(bodies.map((b) => b.method)).toEqual(["POST", "PATCH", "PATCH"]);
    const fixed = bodies.at(-1)?.body;
    expect(fixed?.conclusion).toBe("action_required");
    expect(fixed?.output?.title).toMatch(/^Breaking: /);
    expect(fixed?.output?.summary).toContain("Backflow will watch 2 expectations");
  });

  it("sends no update when an edit of the body leaves the result as it was", async () => {
    const { bodies, owner, repo } = await open("non-breaking", VALID);
    takeRecordedRequests();

    const reworded = VALID.replace("Moves payments", "Moves all payments");
    await receive(
      probot,
      "pull_request",
      editedPayload({ body: reworded, changes: { body: { from: VALID } } }),
    );

    expect(bodies.map((b) => b.method)).toEqual(["POST", "PATCH"]);
    const calls = takeRecordedRequests().filter((r) => !r.path.includes("access_tokens"));
    expect(calls.map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual([
      `GET ${contentsPath(owner, repo, CONFIG_PATH)}`,
      `GET /repos/${owner}/${repo}/compare/${BASE}...${HEAD}`,
    ]);
  });

  it("keeps failing on the remembered block when an owner acknowledges the breaking impact", async () => {
    const { bodies, payload } = await open("breaking", INVALID);

    await receive(probot, "check_run", ackPayload("bob-engineer", payload));

    const last = bodies.at(-1)?.body;
    expect(bodies.map((b) => b.method)).toEqual(["POST", "PATCH", "PATCH"]);
    expect(last?.conclusion).toBe("failure");
    expect(last?.output?.title).toBe(
      "Invalid expects block: 2 problems · Breaking change acknowledged by @bob-engineer",
    );
    expect(last?.output?.summary).toContain("- line 5: dataset `fct_order`");
  });

  it("passes an acknowledged breaking change whose block is valid, still listing what it will watch", async () => {
    const { bodies, payload } = await open("breaking", VALID);

    await receive(probot, "check_run", ackPayload("bob-engineer", payload));

    const last = bodies.at(-1)?.body;
    expect(last?.conclusion).toBe("success");
    expect(last?.output?.summary).toContain("Backflow will watch 2 expectations");
  });
});
