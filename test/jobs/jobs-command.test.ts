import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { captureIO } from "../cli/capture-io.js";
import { tempDbPath } from "../store/temp-db.js";

async function cli(argv: string[], databaseUrl: string) {
  const io = captureIO(process.cwd(), { DATABASE_URL: databaseUrl });
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe("backflow jobs", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  async function seed() {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);
    const now = new Date("2025-01-01T00:00:00Z");
    const { job: dead } = await store.jobs.enqueue({ kind: "issue.upsert", payload: {}, now });
    await store.jobs.enqueue({ kind: "check-run.sync", payload: {}, now });
    await store.jobs.claim({ workerId: "w", now, leaseMs: 10, kinds: ["issue.upsert"] });
    await store.jobs.fail({
      id: dead.id,
      workerId: "w",
      error: "GitHub said 403:\nResource not accessible",
      retryAt: null,
      now,
    });
    await store.close();
    return { url: `sqlite://${db.path}`, deadId: dead.id, path: db.path };
  }

  it("lists dead-lettered jobs with their last error on one line", async () => {
    const { url, deadId } = await seed();
    const { code, out } = await cli(["jobs", "--state", "dead"], url);
    expect(code).toBe(0);
    expect(out).toContain("1 queued, 0 running, 0 done, 1 dead");
    expect(out).toMatch(
      new RegExp(`${deadId}\\s+issue\\.upsert\\s+dead\\s+1/5.*GitHub said 403: Resource not accessible`),
    );
    expect(out).not.toContain("check-run.sync");
  });

  it("prints JSON with --json", async () => {
    const { url } = await seed();
    const { out } = await cli(["jobs", "--json", "--kind", "check-run.sync"], url);
    const jobs = JSON.parse(out) as Array<{ kind: string; state: string }>;
    expect(jobs.map((j) => [j.kind, j.state])).toEqual([["check-run.sync", "queued"]]);
  });

  it("requeues a dead-lettered job with --retry", async () => {
    const { url, deadId, path } = await seed();
    const { code, out } = await cli(["jobs", "--retry", deadId], url);
    expect(code).toBe(0);
    expect(out).toContain(`requeued issue.upsert job ${deadId}`);
    const store = openSqliteStore(path);
    expect(await store.jobs.get(deadId)).toMatchObject({ state: "queued", attempts: 0 });
    await store.close();
  });

  it.each([
    { argv: ["jobs", "--state", "lost"], message: /--state must be one of/ },
    { argv: ["jobs", "--retry", "no-such-id"], message: /no job with id no-such-id/ },
    { argv: ["jobs", "--limit", "0"], message: /--limit must be a positive integer/ },
  ])("refuses $argv with exit code 2", async ({ argv, message }) => {
    const { url } = await seed();
    const { code, err } = await cli(argv, url);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it("names an unreachable PostgreSQL DATABASE_URL (without its password) and says what to check", async () => {
    const { code, err } = await cli(["jobs"], "postgres://u:secret@127.0.0.1:1/backflow");
    expect(code).toBe(2);
    expect(err).toMatch(/127\.0\.0\.1:1\/backflow: nothing accepts connections there/);
    expect(err).not.toContain("secret");
  });
});
