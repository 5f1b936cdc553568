import { describe, expect, it } from "vitest";
import { commentMarker } from "../../src/action/sticky-comment.js";
import { githubApi } from "../helpers/github-nock.js";
import { pullRequestEvent, runWorkflow, SHOP, useCheckout, workflowEnv } from "./workflow-run.js";

const checkout = useCheckout("breaking");

const COMMENTS = "/repos/octo-org/shop/issues/7/comments";
const marker = commentMarker(SHOP);

function env() {
  const event = pullRequestEvent({
    base: checkout.origin().sha.main ?? "",
    head: checkout.origin().sha.breaking ?? "",
  });
  return workflowEnv({
    workspace: checkout.workspace(),
    event,
    inputs: { comment: "true", token: "ghs_workflow_token" },
  });
}

/** A comment as the issues API lists it (the fields the Action reads, plus GitHub's identity fields). */
function listed(id: number, body: string) {
  return { id, node_id: `IC_${id}`, body, user: { login: "github-actions[bot]", type: "Bot" } };
}

describe("the Action's sticky pull request comment", () => {
  it("creates one comment carrying the marker and the report when none exists", async () => {
    const scope = githubApi()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .matchHeader("authorization", "token ghs_workflow_token")
      .reply(200, [listed(1, "LGTM")])
      .post(COMMENTS, (body: { body: string }) => body.body.startsWith(`${marker}\n## Breaking`))
      .reply(201, listed(2, "created"));
    const run = await runWorkflow(env());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Backflow: pull request comment created");
    expect(scope.isDone()).toBe(true);
  });

  it("updates the comment found by its marker on a later page", async () => {
    const others = Array.from({ length: 100 }, (_, i) => listed(100 + i, `comment ${i}`));
    const scope = githubApi()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, others, {
        link: `<https://api.github.com${COMMENTS}?per_page=100&page=2>; rel="next", <https://api.github.com${COMMENTS}?per_page=100&page=2>; rel="last"`,
      })
      .get(COMMENTS)
      .query({ per_page: 100, page: 2 })
      .reply(200, [listed(9, `${marker}\n## old report`)])
      .patch("/repos/octo-org/shop/issues/comments/9", (body: { body: string }) =>
        body.body.startsWith(`${marker}\n## Breaking`),
      )
      .reply(200, listed(9, "updated"));
    const run = await runWorkflow(env());
    expect(run.stdout).toContain("Backflow: pull request comment updated");
    expect(scope.isDone()).toBe(true);
  });

  it("writes nothing when the comment already says the same", async () => {
    let body = "";
    const first = githubApi()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [])
      .post(COMMENTS, (b: { body: string }) => {
        body = b.body;
        return true;
      })
      .reply(201, listed(3, "x"));
    await runWorkflow(env());
    expect(first.isDone()).toBe(true);
    const second = githubApi()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [listed(3, body)]);
    const run = await runWorkflow(env());
    expect(run.stdout).toContain("Backflow: pull request comment unchanged");
    expect(second.isDone()).toBe(true);
  });
});
