import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CONFIG_VALIDATION_KEY,
  type ConfigValidationRecord,
} from "../../../src/github/services/record-config-validation.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { createBackflowProbot } from "../../helpers/backflow-app.js";
import { githubApi, mockConfigFile, mockInstallationToken } from "../../helpers/github-nock.js";
import { loadPayload, receive } from "../../helpers/payloads.js";

const NOW = new Date("2025-06-01T12:00:00Z");
let store: Store;
let probot: Probot;

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  probot = await createBackflowProbot({ store, clock: () => NOW });
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

function installation(repos: string[]) {
  const payload = loadPayload("installation", { action: "created" });
  const id = (payload.installation as { id: number }).id;
  mockInstallationToken(id);
  return {
    ...payload,
    repositories: repos.map((fullName, i) => ({
      id: i + 1,
      node_id: `R${i}`,
      name: fullName.split("/")[1],
      full_name: fullName,
      private: false,
    })),
  };
}

describe("installation.created handler", () => {
  it("validates and records each repository's config on install", async () => {
    const payload = installation(["acme/good", "acme/bad"]);
    const scope = githubApi();
    mockConfigFile(scope, { owner: "acme", repo: "good", text: null });
    mockConfigFile(scope, { owner: "acme", repo: "bad", text: "dialect: cobol\n" });

    await receive(probot, "installation", payload);

    expect(scope.isDone()).toBe(true);
    const good = await store.repoState.get<ConfigValidationRecord>({
      repo: "acme/good",
      key: CONFIG_VALIDATION_KEY,
    });
    const bad = await store.repoState.get<ConfigValidationRecord>({
      repo: "acme/bad",
      key: CONFIG_VALIDATION_KEY,
    });
    expect(good).toMatchObject({ ok: true, source: "defaults", problems: [] });
    expect(bad).toMatchObject({ ok: false, source: "invalid" });
    expect(bad?.problems.map((p) => p.path)).toEqual(["dialect"]);
    const audit = await store.audit.list();
    expect(audit.map((a) => [a.repo, a.action]).sort()).toEqual([
      ["acme/bad", "config.invalid"],
      ["acme/good", "config.valid"],
    ]);
  });

  it("keeps validating the other repositories when one cannot be read, then reports the failure", async () => {
    const payload = installation(["acme/broken", "acme/fine"]);
    const scope = githubApi();
    scope.get("/repos/acme/broken/contents/.github%2Fbackflow.yml").reply(500, { message: "boom" });
    mockConfigFile(scope, { owner: "acme", repo: "fine", text: "dialect: bigquery\n" });

    await expect(receive(probot, "installation", payload)).rejects.toThrow();

    expect(scope.isDone()).toBe(true);
    const fine = await store.repoState.get<ConfigValidationRecord>({
      repo: "acme/fine",
      key: CONFIG_VALIDATION_KEY,
    });
    expect(fine?.ok).toBe(true);
  });
});
