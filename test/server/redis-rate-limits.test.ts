import { Redis } from "ioredis";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { githubApi, mockInstallationToken } from "../helpers/github-nock.js";
import { silentLog } from "../helpers/probot.js";
import { redisTestUrl } from "../helpers/redis.js";
import { testServerSettings } from "../helpers/server-settings.js";

const running: RunningServer[] = [];
const stores: Store[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const server of running.splice(0)) await server.stop();
  for (const store of stores.splice(0)) await store.close();
  for (const client of clients.splice(0)) client.disconnect();
  nock.cleanAll();
});

/** A server as `npm start` builds it (Probot's retry and throttling on), without a worker. */
async function startInstance(redisUrl: string | undefined): Promise<RunningServer> {
  const store = openSqliteStore(":memory:");
  stores.push(store);
  const server = await startServer({
    settings: await testServerSettings(redisUrl ? { redisUrl } : {}),
    store,
    log: silentLog(),
    worker: false,
  });
  running.push(server);
  return server;
}

async function readRepository(server: RunningServer): Promise<void> {
  const octokit = await server.probot.auth(1);
  await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "shop" });
}

/** What the throttling plugin's global limiter (Bottleneck id octokit-global, key no-id) counted in Redis. */
async function doneInRedis(client: Redis): Promise<number> {
  const keys = await client.keys("b_octokit-global*_settings");
  let done = 0;
  for (const key of keys) done += Number((await client.hget(key, "done")) ?? 0);
  return done;
}

describe("REDIS_URL", () => {
  it("makes every instance count its GitHub requests in the same Redis limiter", async () => {
    const url = await redisTestUrl();
    const client = new Redis(url, { lazyConnect: true });
    clients.push(client);
    const before = await doneInRedis(client);
    mockInstallationToken();
    githubApi({ persist: true }).get("/repos/acme/shop").reply(200, { id: 1, full_name: "acme/shop" });
    const first = await startInstance(url);
    const second = await startInstance(url);

    await readRepository(first);
    await readRepository(second);
    await readRepository(second);

    expect(await doneInRedis(client)).toBe(before + 3);
  });

  it("leaves Redis alone when unset: the limiter stays in the process", async () => {
    const url = await redisTestUrl();
    const client = new Redis(url, { lazyConnect: true });
    clients.push(client);
    const before = await doneInRedis(client);
    mockInstallationToken();
    const scope = githubApi().get("/repos/acme/shop").reply(200, { id: 1, full_name: "acme/shop" });
    const server = await startInstance(undefined);

    await readRepository(server);

    expect(scope.isDone()).toBe(true);
    expect(await doneInRedis(client)).toBe(before);
  });
});
