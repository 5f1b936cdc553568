import { describe } from "vitest";
import { describeCanaryStore } from "../canary/canary-store-cases.js";
import { BACKENDS, useStore } from "./backends.js";

// The canary store cases on both backends, each test on an empty store (useStore closes it).
for (const backend of BACKENDS) {
  describe(backend.name, () => {
    const ctx = useStore(backend);
    describeCanaryStore(backend.name, async () => ({
      canaries: ctx.store.canaries,
      close: async () => undefined,
    }));
  });
}
