import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConfigFileRef } from "../../../src/core/config/config-file-ref.js";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import {
  readConfigExtends,
  readExtendedBy,
  recordConfigExtends,
} from "../../../src/github/config/config-dependents.js";
import type { RepoConfigResult } from "../../../src/github/load-repo-config.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";

const NOW = new Date("2025-06-01T12:00:00Z");
const CONFIG = ".github/backflow.yml";
const ORG: ConfigFileRef = { owner: "Acme", repo: ".github", path: CONFIG };
const SHARED: ConfigFileRef = { owner: "acme", repo: "settings", path: "shared/backflow.yml" };
let store: Store;

beforeEach(() => {
  store = openSqliteStore(":memory:");
});
afterEach(() => store.close());

/** A validation result whose configuration extends `bases` (valid or not, it is recorded the same). */
function result(bases: ConfigFileRef[], ok = true): RepoConfigResult {
  return ok
    ? { ok: true, config: {} as never, source: "file", bases, layers: [] }
    : { ok: false, error: {} as never, bases, layers: [] };
}

const record = (repo: string, bases: ConfigFileRef[], ok = true) =>
  recordConfigExtends({
    store,
    clock: () => NOW,
    repo: repoKeyOf(repo),
    ref: "main",
    result: result(bases, ok),
  });

describe("recordConfigExtends", () => {
  it("lists each repository under every shared file it reads, keyed case-insensitively", async () => {
    await record("acme/app", [SHARED, ORG]);
    await record("acme/web", [ORG]);

    expect((await readExtendedBy(store, repoKeyOf("acme/.github")))?.files).toEqual({
      [CONFIG]: ["acme/app", "acme/web"],
    });
    expect((await readExtendedBy(store, repoKeyOf("acme/settings")))?.files).toEqual({
      "shared/backflow.yml": ["acme/app"],
    });
    expect((await readConfigExtends(store, repoKeyOf("acme/app")))?.bases).toEqual([SHARED, ORG]);
  });

  it("takes a repository off a file it no longer extends, and keeps invalid configurations' bases", async () => {
    await record("acme/app", [SHARED, ORG]);
    await record("acme/app", [ORG], false);

    expect((await readExtendedBy(store, repoKeyOf("acme/settings")))?.files).toEqual({});
    expect((await readExtendedBy(store, repoKeyOf("acme/.github")))?.files).toEqual({
      [CONFIG]: ["acme/app"],
    });
  });

  it("loses no repository when a hundred validations record at once", async () => {
    const repos = Array.from({ length: 100 }, (_, i) => `acme/repo-${String(i).padStart(3, "0")}`);
    await Promise.all(repos.map((repo) => record(repo, [ORG])));

    const listed = (await readExtendedBy(store, repoKeyOf("acme/.github")))?.files[CONFIG];
    expect(listed).toEqual(repos);
  });
});
