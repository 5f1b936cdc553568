import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    setupFiles: ["test/helpers/setup.ts"],
    // Starts a throwaway PostgreSQL for the run only when none is configured or answering on 5432.
    globalSetup: ["test/helpers/postgres-global-setup.ts"],
  },
});
