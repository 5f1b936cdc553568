/**
 * The PostgreSQL queue wired as the app wires it: `backflow jobs` lists and retries dead letters on
 * a postgres:// DATABASE_URL, and createJobWorker gives a PostgreSQL store the PG worker.
 */

import type { Logger } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { readWorkerEnv } from "../../src/jobs/read-worker-env.js";
import { createJobWorker } from "../../src/jobs/start-job-worker.js";
import { openStore } from "../../src/store/open-store.js";
import { captureIO } from "../cli/capture-io.js";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.js";
import { silentLog } from "../helpers/probot.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

async function cli(argv: string[]) {
  const io = captureIO(process.cwd(), { DATABASE_URL: database.url });
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe("the PostgreSQL queue in the app", () => {
  it("backflow jobs lists a dead letter with its attempts and reason, and --retry requeues it", async () => {
    const store = await openStore(database.url);
    try {
      const now = new Date();
      const { job: dead } = await store.jobs.enqueue({ kind: "issue.upsert", payload: {}, now });
      await store.jobs.enqueue({ kind: "check-run.sync", payload: {}, now });
      const claimed = await store.jobs.claim({
        workerId: "w",
        now,
        leaseMs: 10_000,
        kinds: ["issue.upsert"],
      });
      expect(claimed?.id).toBe(dead.id);
      expect(
        await store.jobs.fail({
          id: dead.id,
          workerId: "w",
          leaseToken: claimed?.leaseToken,
          error: "GitHub said 403:\nResource not accessible",
          retryAt: null,
          now,
        }),
      ).toBe(true);

      const listed = await cli(["jobs", "--state", "dead"]);
      expect(listed.code).toBe(0);
      expect(listed.out).toContain("1 queued, 0 running, 0 done, 1 dead");
      expect(listed.out).toMatch(
        new RegExp(`${dead.id}\\s+issue\\.upsert\\s+dead\\s+1/5.*GitHub said 403: Resource not accessible`),
      );
      expect(listed.out).not.toContain("check-run.sync");

      const retried = await cli(["jobs", "--retry", dead.id]);
      expect(retried.code).toBe(0);
      expect(retried.out).toContain(`requeued issue.upsert job ${dead.id}`);
      expect(await store.jobs.get(dead.id)).toMatchObject({ state: "queued", attempts: 0, maxAttempts: 5 });
    } finally {
      await store.close();
    }
  });

  it("createJobWorker runs a PostgreSQL store's jobs on the PG worker", async () => {
    const store = await openStore(database.url);
    const ran: string[] = [];
    const worker = createJobWorker({
      store,
      jobs: { handlers: { hello: async (_payload, { job }) => void ran.push(job.id) }, kinds: {} },
      settings: readWorkerEnv({ BACKFLOW_JOB_LEASE_MS: "3000" }),
      log: silentLog() as unknown as Logger,
      clock: () => new Date(),
      workerId: "wiring",
    });
    try {
      worker.start();
      const { job } = await store.jobs.enqueue({ kind: "hello", payload: {}, now: new Date() });
      const deadline = Date.now() + 10_000;
      while ((await store.jobs.get(job.id))?.state !== "done" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", attempts: 1 });
      expect(ran).toEqual([job.id]);
    } finally {
      await worker.stop({ graceMs: 0 });
      await store.close();
    }
  });
});
