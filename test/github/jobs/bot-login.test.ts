import { describe, expect, it } from "vitest";
import { installationOctokits } from "../../../src/github/jobs/installation-octokit.js";
import { githubApi } from "../../helpers/github-nock.js";
import { createTestProbot } from "../../helpers/probot.js";

describe("the app's bot login for proposal jobs", () => {
  it("is asked of GitHub once (GET /app) and becomes <slug>[bot]", async () => {
    const probot = await createTestProbot();
    const scope = githubApi()
      .get("/app")
      .once()
      .reply(200, { id: 123, slug: "backflow-test", name: "Backflow" });
    const octokitFor = installationOctokits(async () => probot);

    expect(await octokitFor.botLogin?.()).toBe("backflow-test[bot]");
    expect(await octokitFor.botLogin?.()).toBe("backflow-test[bot]");
    expect(scope.isDone()).toBe(true);
  });
});
