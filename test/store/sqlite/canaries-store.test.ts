import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { describeCanaryStore } from "../canary/canary-store-cases.js";

describeCanaryStore("sqlite", async () => {
  const store = openSqliteStore(":memory:");
  return { canaries: store.canaries, close: () => store.close() };
});
