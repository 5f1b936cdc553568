import { describe, expect, it } from "vitest";
import { installationOctokits } from "../../../src/github/jobs/installation-octokit.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { createBackflowProbot } from "../../helpers/backflow-app.js";
import { githubApi, mockInstallationToken } from "../../helpers/github-nock.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { createTestProbot } from "../../helpers/probot.js";

describe("the installation id cache of job Octokits", () => {
  it("looks the installation up again after an installation event (a reinstall works without a restart)", async () => {
    const probot = await createTestProbot();
    const octokitFor = installationOctokits(async () => probot);
    const scope = githubApi();
    scope.get("/repos/Acme/Shop/installation").reply(200, { id: 11 });
    mockInstallationToken(11);
    scope.get("/repos/acme/shop").reply(200, { default_branch: "main" });
    await (await octokitFor("Acme/Shop")).rest.repos.get({ owner: "acme", repo: "shop" });
    // Cached: no second lookup.
    scope.get("/repos/acme/shop").reply(200, { default_branch: "main" });
    await (await octokitFor("acme/shop")).rest.repos.get({ owner: "acme", repo: "shop" });
    expect(scope.isDone()).toBe(true);

    // The app was reinstalled under a new installation id.
    const store = openSqliteStore(":memory:");
    const app = await createBackflowProbot({ store, clock: () => new Date(), installations: octokitFor });
    await receive(app, "installation", loadPayload("installation", { action: "deleted" }));
    const again = githubApi();
    again.get("/repos/acme/shop/installation").reply(200, { id: 12 });
    mockInstallationToken(12);
    again.get("/repos/acme/shop").reply(200, { default_branch: "main" });
    await (await octokitFor("acme/shop")).rest.repos.get({ owner: "acme", repo: "shop" });
    expect(again.isDone()).toBe(true);
    await store.close();
  });
});
