import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignalError } from "../../src/core/errors.js";
import { isStoreUnavailable } from "../../src/server/store-unavailable.js";
import { postgresServerUrl } from "../helpers/postgres.js";
import { findFreePort } from "../helpers/probot.js";
import { startTcpProxy } from "../helpers/tcp-proxy.js";

/** The error `fn` rejects with (the test fails if it resolves). */
async function failureOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

/** A PostgreSQL URL with its host and port replaced (through a proxy, or to a closed port). */
function via(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  parsed.port = String(port);
  return parsed.toString();
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "backflow-unavailable-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("isStoreUnavailable, on errors the real drivers throw", () => {
  it("is true when nothing listens where PostgreSQL should be", async () => {
    const pool = new pg.Pool({ connectionString: via(await postgresServerUrl(), await findFreePort()) });
    const error = await failureOf(() => pool.query("SELECT 1"));
    await pool.end();

    expect(isStoreUnavailable(error)).toBe(true);
  });

  it("is true when the connection to PostgreSQL is cut during a query", async () => {
    const server = new URL(await postgresServerUrl());
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const pool = new pg.Pool({ connectionString: via(server.toString(), proxy.port) });
    pool.on("error", () => undefined);
    const query = failureOf(() => pool.query("SELECT pg_sleep(5)"));
    while (proxy.connections() === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    proxy.cut();
    const error = await query;
    const reconnect = await failureOf(() => pool.query("SELECT 1"));
    await pool.end();
    await proxy.close();

    expect(isStoreUnavailable(error)).toBe(true);
    expect(isStoreUnavailable(reconnect)).toBe(true);
  });

  it("is false for a statement PostgreSQL refuses", async () => {
    const pool = new pg.Pool({ connectionString: await postgresServerUrl() });
    const error = await failureOf(() => pool.query("SELEC 1"));
    await pool.end();

    expect((error as { code?: string }).code).toBe("42601");
    expect(isStoreUnavailable(error)).toBe(false);
  });

  it("is true when SQLite stays locked past the busy timeout, false for a constraint violation", () => {
    const path = join(dir, "locked.db");
    const holder = new Database(path);
    holder.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    holder.exec("INSERT INTO t VALUES (1)");
    const writer = new Database(path, { timeout: 50 });
    holder.exec("BEGIN IMMEDIATE");
    let busy: unknown;
    try {
      writer.exec("INSERT INTO t VALUES (2)");
    } catch (error) {
      busy = error;
    }
    holder.exec("ROLLBACK");
    let duplicate: unknown;
    try {
      writer.exec("INSERT INTO t VALUES (1)");
    } catch (error) {
      duplicate = error;
    }
    holder.close();
    writer.close();

    expect(isStoreUnavailable(busy)).toBe(true);
    expect(isStoreUnavailable(duplicate)).toBe(false);
  });

  it("is false for GitHub being unreachable (an Octokit request error), which is no database outage", async () => {
    const octokit = new Octokit({
      baseUrl: `http://127.0.0.1:${await findFreePort()}`,
      retry: { enabled: false },
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const error = await failureOf(() => octokit.request("GET /zen"));

    expect((error as Error).name).toBe("HttpError");
    expect(isStoreUnavailable(error)).toBe(false);
  });
});

describe("isStoreUnavailable, on what wraps the error", () => {
  it.each([
    [
      "PostgreSQL shutting down (57P01)",
      Object.assign(new Error("terminating connection"), { code: "57P01" }),
      true,
    ],
    [
      "PostgreSQL starting up (57P03)",
      Object.assign(new Error("the database system is starting up"), { code: "57P03" }),
      true,
    ],
    [
      "a connection exception (08006)",
      Object.assign(new Error("connection failure"), { code: "08006" }),
      true,
    ],
    ["too many connections (53300)", Object.assign(new Error("too many clients"), { code: "53300" }), true],
    ["a unique violation (23505)", Object.assign(new Error("duplicate key"), { code: "23505" }), false],
    ["a sender's bad input", new SignalError("bad payload", 400), false],
    ["a thrown string", "ECONNREFUSED", false],
    ["nothing", undefined, false],
  ])("%s → %s", (_name, error, expected) => {
    expect(isStoreUnavailable(error)).toBe(expected);
  });

  it("looks through `cause` and through Probot's AggregateError of handler failures", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const wrapped = new Error("could not enqueue the impact check", { cause: refused });

    expect(isStoreUnavailable(wrapped)).toBe(true);
    expect(isStoreUnavailable(new AggregateError([new Error("other"), wrapped]))).toBe(true);
    expect(isStoreUnavailable(new AggregateError([new Error("other")]))).toBe(false);
  });
});
