import { afterAll, beforeAll } from "vitest";
import { openStore } from "../../../src/store/open-store.js";
import type { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/postgres.js";
import { describeCanaryStore } from "../canary/canary-store-cases.js";
import { emptyPostgres } from "./backends.js";

// The SQLite run is test/store/sqlite/canaries-store.test.ts; this is the same cases on PostgreSQL.
let database: TestDatabase;
let store: PostgresStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = (await openStore(database.url)) as PostgresStore;
}, 60_000);
afterAll(async () => {
  await store.close();
  await database.drop();
}, 60_000);

describeCanaryStore("postgres", async () => {
  await emptyPostgres(store);
  return { canaries: store.canaries, close: async () => undefined };
});
