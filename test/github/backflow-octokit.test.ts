import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { outcomeOf, routeOf } from "../../src/github/backflow-octokit.js";
import { createMetrics } from "../../src/server/metrics.js";
import { githubApi, mockInstallationToken, NOT_FOUND } from "../helpers/github-nock.js";
import { createTestProbot } from "../helpers/probot.js";

afterEach(() => {
  nock.cleanAll();
});

describe("request counting by route and outcome", () => {
  it.each([
    [{ method: "POST", url: "/repos/{owner}/{repo}/issues" }, "POST /repos/{owner}/{repo}/issues"],
    [
      { url: "/repos/{owner}/{repo}/check-runs/{check_run_id}" },
      "GET /repos/{owner}/{repo}/check-runs/{check_run_id}",
    ],
    // A pagination link is a full URL: its host, query and numeric ids are dropped.
    [
      { method: "get", url: "https://api.github.com/repositories/1296269/issues?state=open&page=2" },
      "GET /repositories/{n}/issues",
    ],
  ])("names %o as %s", (options, route) => {
    expect(routeOf(options)).toBe(route);
  });

  it.each([
    ["200", "ok"],
    ["304", "ok"],
    ["404", "not-found"],
    ["422", "client-error"],
    ["503", "server-error"],
    ["network-error", "network-error"],
  ])("calls status %s %s", (status, outcome) => {
    expect(outcomeOf(status)).toBe(outcome);
  });

  it("counts each request an installation Octokit sends under its route template", async () => {
    const metrics = createMetrics();
    const probot = await createTestProbot({ metrics });
    mockInstallationToken();
    githubApi()
      .get("/repos/acme/shop/issues/7")
      .reply(404, NOT_FOUND)
      .post("/repos/acme/shop/issues/7/comments")
      .reply(201, { id: 1 });
    const octokit = await probot.auth(1);

    await octokit.rest.issues.get({ owner: "acme", repo: "shop", issue_number: 7 }).catch(() => undefined);
    await octokit.rest.issues.createComment({ owner: "acme", repo: "shop", issue_number: 7, body: "hi" });

    expect(
      metrics.githubRouteRequests.get({
        route: "GET /repos/{owner}/{repo}/issues/{issue_number}",
        outcome: "not-found",
      }),
    ).toBe(1);
    expect(
      metrics.githubRouteRequests.get({
        route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        outcome: "ok",
      }),
    ).toBe(1);
  });
});
