import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { readWorkerEnv } from "../../src/jobs/read-worker-env.js";

describe("readWorkerEnv", () => {
  it("has defaults, and the per-installation share follows the concurrency", () => {
    expect(readWorkerEnv({})).toEqual({
      concurrency: 4,
      groupConcurrency: 2,
      leaseMs: 30_000,
      shutdownGraceMs: 10_000,
      breakerFailures: 5,
      breakerCooldownMs: 30_000,
      auditRetentionDays: 365,
      githubHost: "api.github.com",
    });
    expect(readWorkerEnv({ BACKFLOW_WORKER_CONCURRENCY: "9", GHE_HOST: "github.example.com" })).toMatchObject(
      {
        concurrency: 9,
        groupConcurrency: 5,
        githubHost: "github.example.com",
      },
    );
    expect(
      readWorkerEnv({ BACKFLOW_AUDIT_RETENTION_DAYS: "0", BACKFLOW_SHUTDOWN_GRACE_MS: "0" }),
    ).toMatchObject({
      auditRetentionDays: 0,
      shutdownGraceMs: 0,
    });
  });

  it("names every bad variable at once", () => {
    const read = () =>
      readWorkerEnv({
        BACKFLOW_WORKER_CONCURRENCY: "0",
        BACKFLOW_JOB_LEASE_MS: "soon",
        BACKFLOW_AUDIT_RETENTION_DAYS: "1.5",
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/BACKFLOW_WORKER_CONCURRENCY: must be a whole number of at least 1, not "0"/);
    expect(read).toThrow(/BACKFLOW_JOB_LEASE_MS: must be a whole number of at least 1000, not "soon"/);
    expect(read).toThrow(/BACKFLOW_AUDIT_RETENTION_DAYS/);
  });
});
