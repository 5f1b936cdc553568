import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { triageDeliveryHandler } from "../../../src/github/jobs/triage-delivery-handler.js";
import { createWorker } from "../../../src/jobs/worker.js";
import { parseSignalSources } from "../../../src/server/signals/sources-config.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { silentLog } from "../../helpers/probot.js";
import { post, SECRET, signedHeaders, startIntake } from "../../server/signals/intake-harness.js";
import { CONFIG, completeness, FULL_NAME, resetNock, testOctokit } from "./drift-harness.js";
import { fakeGitHub } from "./fake-github.js";

const sources = parseSignalSources(
  JSON.stringify({ sources: [{ id: "monitor", secrets: [SECRET], repos: [FULL_NAME] }] }),
  "test",
);
const servers: Server[] = [];

afterEach(() => {
  resetNock();
  for (const server of servers.splice(0)) server.close();
});

/** The real intake on a loopback port and four workers over one store, with a fake GitHub. */
async function setup() {
  const store = openSqliteStore(":memory:");
  const github = fakeGitHub({ config: CONFIG });
  const octokit = await testOctokit();
  const clock = () => new Date();
  const { port, server } = await startIntake({ store, sources, clock, log: silentLog() });
  servers.push(server);
  const handlers = Object.fromEntries([
    triageDeliveryHandler({ deps: { store, clock }, log: silentLog(), octokitFor: async () => octokit }),
  ]);
  const workers = [1, 2, 3, 4].map((n) => createWorker({ store, handlers, workerId: `w${n}` }));
  const send = (body: string, id: string) =>
    post({ port, path: "/signals", body, headers: signedHeaders({ secret: SECRET, body, id }) });
  const drainAll = () => Promise.all(workers.map((w) => w.drain()));
  return { store, github, send, drainAll };
}

const at = new Date(Date.UTC(2026, 10, 24, 6));
const withoutId = (over: { at: Date; value: number }) => {
  const { id: _id, ...body } = completeness({ id: "", ...over });
  return JSON.stringify(body);
};

describe("concurrent and repeated signals", () => {
  it("opens one issue and stores one history point for 50 identical signals and 50 redeliveries", async () => {
    const { store, github, send, drainAll } = await setup();
    const body = withoutId({ at, value: 0.93 });
    const distinct = await Promise.all(Array.from({ length: 50 }, (_, i) => send(body, `msg_${i}`)));
    const replays = await Promise.all(Array.from({ length: 50 }, () => send(body, "msg_0")));
    expect(distinct.map((r) => r.status)).toEqual(Array(50).fill(202));
    expect(replays.map((r) => r.status)).toEqual(Array(50).fill(200));

    await drainAll();
    expect(github.issues.size).toBe(1);
    expect(github.requests.filter((r) => r === "POST /repos/acme/shop/issues")).toHaveLength(1);
    expect(github.comments).toEqual([]);
    const [finding] = await store.findings.list({ repo: FULL_NAME });
    expect(finding?.issueNumber).toBe(1);
    expect(
      await store.findings.evaluations({ repo: FULL_NAME, fingerprint: finding?.fingerprint ?? "" }),
    ).toHaveLength(1);
    expect(await store.signals.pendingDeliveries()).toEqual([]);
    expect((await store.jobs.countByState()).done).toBe(50);
    await store.close();
  }, 60_000);

  it("serializes 50 concurrent observations of one finding into one issue with 50 history points", async () => {
    const { store, github, send, drainAll } = await setup();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(withoutId({ at: new Date(at.getTime() + i * 60_000), value: 0.9 + i / 1000 }), `obs_${i}`),
      ),
    );
    expect(replies.every((r) => r.status === 202)).toBe(true);
    await drainAll();
    expect(github.issues.size).toBe(1);
    const [finding] = await store.findings.list({ repo: FULL_NAME });
    expect(
      await store.findings.evaluations({ repo: FULL_NAME, fingerprint: finding?.fingerprint ?? "" }),
    ).toHaveLength(50);
    expect(github.issues.get(1)?.state).toBe("open");
    await store.close();
  }, 60_000);
});
