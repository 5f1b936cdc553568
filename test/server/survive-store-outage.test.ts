import { describe, expect, it } from "vitest";
import { findFreePort } from "../helpers/probot.js";
import { runFixture } from "../store/temp-db.js";

const FIXTURE = "test/server/fixtures/unhandled-rejection.ts";

describe("surviveStoreOutage", () => {
  it("logs a lost database connection rejected in the background and keeps the process running", async () => {
    const result = await runFixture(FIXTURE, ["outage", String(await findFreePort())]);

    expect(result.stdout).toContain("logged: lost the database connection in the background; carrying on");
    expect(result.stdout).toContain("still running");
    expect(result.code).toBe(0);
  });

  it("still ends the process on any other unhandled rejection", async () => {
    const result = await runFixture(FIXTURE, ["bug", "0"]);

    expect(result.stdout).not.toContain("still running");
    expect(result.stderr).toContain("TypeError: a bug");
    expect(result.code).not.toBe(0);
  });
});
