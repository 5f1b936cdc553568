import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { findFreePort } from "./probot.js";

/** The machine's Redis (see .ci/run), when nothing else is named. */
const LOCAL_REDIS = { host: "127.0.0.1", port: 6379 };

let started: ChildProcess | undefined;
let cached: Promise<string> | undefined;

/** True when a Redis server answers PING at host:port within a second. */
function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data: Buffer) => done(data.toString().startsWith("+PONG")));
  });
}

/** Starts a throwaway `redis-server` (no persistence) for this test process; stopped on exit. */
async function startThrowawayRedis(): Promise<string> {
  if (spawnSync("redis-server", ["--version"]).status !== 0)
    throw new Error(
      "these tests need Redis: set BACKFLOW_TEST_REDIS_URL, run a server on 127.0.0.1:6379, or install redis-server",
    );
  const port = await findFreePort();
  started = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", ""], {
    stdio: "ignore",
  });
  process.once("exit", () => started?.kill("SIGKILL"));
  const deadline = Date.now() + 10_000;
  while (!(await answersPing("127.0.0.1", port))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return `redis://127.0.0.1:${port}`;
}

/**
 * A Redis server URL for tests: BACKFLOW_TEST_REDIS_URL, else the machine's 127.0.0.1:6379, else a
 * throwaway `redis-server` on a free port. Tests pick their own database number (see redisTestUrl).
 */
export function redisServerUrl(): Promise<string> {
  cached ??= (async () => {
    const fromEnv = process.env.BACKFLOW_TEST_REDIS_URL?.trim();
    if (fromEnv) return fromEnv.replace(/\/\d*$/, "");
    if (await answersPing(LOCAL_REDIS.host, LOCAL_REDIS.port))
      return `redis://${LOCAL_REDIS.host}:${LOCAL_REDIS.port}`;
    return startThrowawayRedis();
  })();
  return cached;
}

/** A Redis URL on a database number chosen at random (1–15), so concurrent test runs rarely share keys. */
export async function redisTestUrl(): Promise<string> {
  const db = 1 + Math.floor(Math.random() * 15);
  return `${await redisServerUrl()}/${db}`;
}
