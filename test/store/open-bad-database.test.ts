import { spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { StoreError } from "../../src/store/store-errors.js";
import { findFreePort, testPrivateKey } from "../helpers/probot.js";
import { REPO_ROOT, tempDbPath } from "./temp-db.js";

let db: ReturnType<typeof tempDbPath>;
let good: string;

beforeEach(async () => {
  db = tempDbPath();
  good = `${db.path}.good`;
  const store = openSqliteStore(good);
  await store.close();
});

afterEach(() => db.cleanup());

function openError(path: string, busyTimeoutMs = 5000): Error {
  try {
    const store = openSqliteStore(path, { busyTimeoutMs });
    void store.close();
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${path} opened`);
}

describe("opening a bad database file", () => {
  it("says a file of random bytes is not a SQLite database, names it, and says what to do", () => {
    writeFileSync(db.path, randomFillSync(Buffer.alloc(64 * 1024)));

    const error = openError(db.path);

    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain(`${db.path} is not a SQLite database`);
    expect(error.message).toContain("Point DATABASE_URL at the right file");
  });

  it.each([
    ["truncated mid-file", (path: string) => truncateSync(path, 10_000)],
    ["truncated after the header", (path: string) => truncateSync(path, 200)],
    [
      "overwritten after its first page",
      (path: string) => {
        const bytes = readFileSync(path);
        for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
        writeFileSync(path, bytes);
      },
    ],
  ])("says a database %s is damaged and how to recover it", (_name, damage) => {
    copyFileSync(good, db.path);
    damage(db.path);

    const error = openError(db.path);

    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain(`${db.path} is damaged`);
    expect(error.message).toContain(`sqlite3 ${db.path} .recover`);
  });

  it("says a database locked by another process is locked, after the busy timeout", () => {
    copyFileSync(good, db.path);
    const holder = new Database(db.path);
    holder.exec("BEGIN EXCLUSIVE");
    try {
      const error = openError(db.path, 200);

      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toContain(`${db.path} is locked by another process (waited 200 ms)`);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });

  it("makes npm start print which file is wrong and what to do, without a stack trace", async () => {
    writeFileSync(db.path, randomFillSync(Buffer.alloc(8192)));
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        APP_ID: "1",
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET: "secret",
        DATABASE_URL: db.path,
        PORT: String(await findFreePort()),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));

    expect(code).toBe(1);
    expect(stderr).toContain(`${db.path} is not a SQLite database`);
    expect(stderr).not.toMatch(/SqliteError|\n\s+at /);
  }, 30_000);
});
