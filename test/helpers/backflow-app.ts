import nock from "nock";
import type { Probot } from "probot";
import { createBackflowApp } from "../../src/index.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { mockInstallationToken } from "./github-nock.js";
import { createTestProbot, TEST_APP_ID } from "./probot.js";

/**
 * Backflow loaded into a test Probot over a fresh in-memory store, with the installation token
 * answered: what a handler test needs before each test.
 * @example beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
 */
export async function startBackflowApp(clock: () => Date): Promise<{ store: SqliteStore; probot: Probot }> {
  const store = openSqliteStore(":memory:");
  const probot = await createTestProbot({ app: createBackflowApp({ store, clock, appId: TEST_APP_ID }) });
  mockInstallationToken();
  return { store, probot };
}

/** After each handler test: forget every interceptor and close the store. */
export async function stopBackflowApp(store: { close(): Promise<void> }): Promise<void> {
  nock.cleanAll();
  await store.close();
}
