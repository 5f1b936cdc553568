import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { captureIO } from "./capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "backflow-prune-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = () => captureIO(dir);

describe("backflow prune", () => {
  it("removes finished jobs older than --days from the database named", async () => {
    const path = join(dir, "backflow.db");
    const store = openSqliteStore(path);
    const long = new Date(Date.now() - 40 * 86_400_000);
    const { job } = await store.jobs.enqueue({ kind: "k", payload: {}, now: long });
    await store.jobs.claim({ workerId: "w", now: long, leaseMs: 1000 });
    await store.jobs.complete({ id: job.id, workerId: "w", now: long });
    await store.close();

    const io = capture();
    expect(await runCli(["prune", "--days", "30", "--database", path], io)).toBe(0);
    expect(io.stdout()).toContain("1 finished jobs");
    const after = openSqliteStore(path);
    expect(await after.jobs.list()).toEqual([]);
    await after.close();
  });

  it("refuses a window that is not a number of days", async () => {
    const io = capture();
    expect(await runCli(["prune", "--days", "soon"], io)).toBe(2);
    expect(io.stderr()).toContain("--days must be a whole number of days");
  });
});
