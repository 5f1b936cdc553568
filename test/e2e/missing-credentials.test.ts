import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("npm start without credentials", () => {
  it("exits 1 with one message naming the missing variables and no stack trace", () => {
    const result = spawnSync("npx", ["tsx", "src/main.ts"], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      encoding: "utf8",
      timeout: 30_000,
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("APP_ID");
    expect(result.stderr).toContain("PRIVATE_KEY");
    expect(result.stderr).toContain("WEBHOOK_SECRET");
    expect(result.stderr).toContain("app.yml");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
