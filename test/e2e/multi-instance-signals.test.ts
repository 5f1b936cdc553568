import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_MARKER } from "../../src/core/render/render-dashboard.js";
import { findingMarker } from "../../src/core/render/render-drift-issue.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import { CONFIG, FULL_NAME } from "../github/drift/drift-harness.js";
import { type FakeGitHub, fakeGitHub } from "../github/drift/fake-github.js";
import { type BackflowInstance, startBackflowInstance } from "../helpers/backflow-instance.js";
import { githubApi, mockInstallationToken } from "../helpers/github-nock.js";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.js";
import { type StandInGitHub, startStandInGitHub } from "../helpers/stand-in-github.js";
import { post, type Reply, SECRET, signedHeaders } from "../server/signals/intake-harness.js";

// A burst of signals on three `npm start` processes sharing one PostgreSQL database and one stand-in
// GitHub (which replays every request to nock here: the OpenAPI-checked fake repository and issues).
// Each observation reaches two different instances, as a sender retrying through a load balancer does.
//
// Every observation changes its drift issue (history chart, last observation), so each costs one
// GitHub write, and Probot's throttling spaces writes 1 s apart per rate limiter. With REDIS_URL the
// three instances share one limiter: 300 observations would take over 300 s of writes alone. So the
// instances pace themselves here (3 writes/s; sharing through Redis is tested in
// multi-instance.test.ts) and each finding gets 2 observations by default (about 40 s on 2 busy cores);
// BACKFLOW_TEST_BURST_PER_FINDING=10 runs the issue's full 300 (about two minutes).
const FINDINGS = 30;
const OBSERVATIONS_PER_FINDING = perFinding(process.env.BACKFLOW_TEST_BURST_PER_FINDING);
/** Observations in flight at once (each sent to two instances at the same moment). */
const IN_FLIGHT = 8;

let db: TestDatabase;
let github: StandInGitHub;
let drift: FakeGitHub;
let store: Store;
let dir: string;
const instances: BackflowInstance[] = [];

function perFinding(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 2;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 1 && n <= 100))
    throw new Error(`BACKFLOW_TEST_BURST_PER_FINDING must be a whole number from 1 to 100, not "${raw}"`);
  return n;
}

type Observation = { finding: number; n: number; signalId: string; observedAt: Date; body: string };

/**
 * Observation `n` of finding `finding`: a firing completeness breach (severity error, so one opens the
 * finding) on its own column of fct_orders, so every finding has its own fingerprint.
 */
function observation(finding: number, n: number, base: number): Observation {
  const observedAt = new Date(base + (n * FINDINGS + finding) * 1000);
  const signalId = `burst-f${finding}-o${n}`;
  const value = 0.5 + n / 1000;
  const body = JSON.stringify({
    id: signalId,
    source: { kind: "backflow", producer: "burst" },
    observedAt: observedAt.toISOString(),
    type: "metric_breach",
    status: "firing",
    severity: "error",
    dataset: { name: "analytics.marts.fct_orders" },
    column: `burst_column_${finding}`,
    measurement: { metric: "completeness", kind: "completeness", value },
    message: `completeness of burst_column_${finding} is ${value}`,
  });
  return { finding, n, signalId, observedAt, body };
}

async function until(condition: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const logs = instances.map((i) => `--- ${i.name}\n${i.output().slice(-3000)}`).join("\n");
      const states: Record<string, number> = {};
      for (const job of await store.jobs.list().catch(() => []))
        states[`${job.kind}:${job.state}`] = (states[`${job.kind}:${job.state}`] ?? 0) + 1;
      throw new Error(
        `timed out waiting for ${what}\njobs: ${JSON.stringify(states)}\n${await databaseActivity()}\n${logs}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the instances' connections are doing: the first thing to read when work hangs. */
async function databaseActivity(): Promise<string> {
  const client = new pg.Client({ connectionString: db.url });
  try {
    await client.connect();
    const activity = await client.query(
      "SELECT state, wait_event_type, wait_event, left(query, 160) AS query FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle'",
      [db.name],
    );
    return `database activity: ${JSON.stringify(activity.rows)}`;
  } catch (error) {
    return `database activity unavailable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `backflow_job_outcomes_total` of one kind on one instance's /metrics, by outcome. */
async function jobOutcomes(instance: BackflowInstance, kind: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  const outcomes: Record<string, number> = {};
  for (const [, labels = "", value] of text.matchAll(/^backflow_job_outcomes_total\{([^}]*)\} (\S+)$/gm)) {
    if (!labels.includes(`kind="${kind}"`)) continue;
    const outcome = /outcome="([^"]+)"/.exec(labels)?.[1] ?? "?";
    outcomes[outcome] = (outcomes[outcome] ?? 0) + Number(value);
  }
  return outcomes;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "backflow-burst-"));
  writeFileSync(
    join(dir, "sources.json"),
    JSON.stringify({ sources: [{ id: "monitor", secrets: [SECRET], repos: [FULL_NAME] }] }),
  );
  db = await createTestDatabase();
  github = startStandInGitHub();
  mockInstallationToken();
  drift = fakeGitHub({ config: CONFIG });
  // Jobs that start from a repository name (signal triage) look its installation up first.
  githubApi({ persist: true }).get(`/repos/${FULL_NAME}/installation`).reply(200, { id: 1 });
  const started = await Promise.all(
    ["A", "B", "C"].map(async (name) =>
      startBackflowInstance({
        name,
        env: {
          DATABASE_URL: db.url,
          GHE_HOST: await github.hostFor(name),
          GHE_PROTOCOL: "http",
          BACKFLOW_SIGNAL_SOURCES: join(dir, "sources.json"),
        },
        readyWithinMs: 60_000,
      }),
    ),
  );
  instances.push(...started);
  store = await openStore(db.url);
}, 90_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop("SIGKILL")));
  await store?.close();
  await github?.close();
  await db?.drop();
  rmSync(dir ?? "", { recursive: true, force: true });
  nock.cleanAll();
});

describe("a burst of signals on three instances", () => {
  it(`turns ${FINDINGS * OBSERVATIONS_PER_FINDING} observations of ${FINDINGS} findings, each delivered to two instances, into ${FINDINGS} drift issues, one history point per observation and each job done once`, async () => {
    const base = Date.now() - 3_600_000;
    const observations: Observation[] = [];
    for (let n = 0; n < OBSERVATIONS_PER_FINDING; n++)
      for (let finding = 0; finding < FINDINGS; finding++) observations.push(observation(finding, n, base));

    /**
     * Observation i goes to instance i mod 3 and, at the same moment, to the next one. Even ones are a
     * retried delivery (same webhook-id: one is stored, the other answered as a duplicate); odd ones
     * are the artifact sent again as a new delivery (new webhook-id: its signal is already received).
     */
    type Sent = { readonly observation: Observation; readonly ids: string[]; readonly replies: Reply[] };
    const sent: Sent[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < observations.length) {
          const i = next++;
          const obs = observations[i] as Observation;
          const retried = i % 2 === 0;
          const ids = retried ? [`msg-${i}`, `msg-${i}`] : [`msg-${i}-a`, `msg-${i}-b`];
          const replies = await Promise.all(
            ids.map((id, copy) => {
              const instance = instances[(i + copy) % instances.length] as BackflowInstance;
              return post({
                port: instance.port,
                path: "/signals",
                body: obs.body,
                headers: signedHeaders({ secret: SECRET, body: obs.body, id }),
              });
            }),
          );
          sent.push({ observation: obs, ids, replies });
        }
      }),
    );
    const intakeMs = performance.now() - started;

    // Exactly one copy of each observation stored it (202); the other was told it had nothing new (200).
    const unexpected = sent.filter(
      ({ replies }) =>
        replies
          .map((r) => r.status)
          .sort((a, b) => a - b)
          .join() !== "200,202" || replies.some((r) => r.status === 202 && r.body.accepted !== 1),
    );
    expect(
      unexpected.map((s) => ({ ids: s.ids, replies: s.replies.map((r) => [r.status, r.body]) })),
    ).toEqual([]);
    for (const { ids, replies } of sent) {
      const other = replies.find((r) => r.status === 200);
      if (ids[0] === ids[1]) expect(other?.body.duplicate).toBe(true);
      else expect(other?.body.alreadyReceived).toHaveLength(1);
    }
    // Stored deliveries: one per retried observation, two per re-sent one (the second holds no new signal).
    const stored = sent.flatMap(({ ids }) => [...new Set(ids)]);
    expect(stored).toHaveLength(observations.length * 1.5);
    const accepted = sent.map(({ ids, replies }) => ids[replies.findIndex((r) => r.status === 202)] ?? "");

    const triageStarted = performance.now();
    await until(
      async () => {
        const jobs = await store.jobs.list({ kind: "triage-delivery" });
        return jobs.length === stored.length && jobs.every((j) => j.state === "done");
      },
      `all ${stored.length} triage jobs to be done`,
      120_000,
    );
    const triageMs = performance.now() - triageStarted;
    console.info(
      `burst: ${sent.length * 2} posts (${observations.length} observations) in ${Math.round(intakeMs)} ms; ` +
        `${stored.length} triage jobs done ${Math.round(triageMs)} ms after the last answer`,
    );

    // Every stored delivery (every 202'd one among them) was processed, its signal under one fingerprint.
    const fingerprints = new Map<number, Set<string>>();
    for (const id of stored) {
      const delivery = await store.signals.getDelivery({ source: "monitor", deliveryId: id });
      expect(delivery?.delivery.state, id).toBe("processed");
      for (const signal of delivery?.signals ?? []) {
        const finding = Number(/^burst-f(\d+)-/.exec(signal.signalId)?.[1]);
        const seen = fingerprints.get(finding) ?? new Set<string>();
        seen.add(signal.fingerprint ?? "none");
        fingerprints.set(finding, seen);
      }
    }
    for (const id of accepted)
      expect((await store.signals.getDelivery({ source: "monitor", deliveryId: id }))?.signals).toHaveLength(
        1,
      );
    expect([...fingerprints.keys()].sort((a, b) => a - b)).toEqual([...Array(FINDINGS).keys()]);
    for (const [finding, set] of fingerprints) expect([finding, set.size]).toEqual([finding, 1]);
    const byFinding = new Map([...fingerprints].map(([finding, set]) => [finding, [...set][0] as string]));
    expect(new Set(byFinding.values()).size).toBe(FINDINGS);

    // One drift issue per finding, created once (the stand-in saw each creation), none a duplicate by
    // marker. The only other issue is the feedback dashboard, refreshed at the turn of each minute by
    // whichever instance claims the job: one at most, however many instances refreshed it.
    const issues = [...drift.issues.values()];
    const dashboards = issues.filter((issue) => issue.body.includes(DASHBOARD_MARKER));
    expect(dashboards.length).toBeLessThanOrEqual(1);
    expect(issues.filter((issue) => issue.body.includes("<!-- backflow:finding "))).toHaveLength(FINDINGS);
    expect(issues).toHaveLength(FINDINGS + dashboards.length);
    const creations = github.requests.filter(
      (r) => r.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/issues$/.test(r.path),
    );
    expect(creations).toHaveLength(FINDINGS + dashboards.length);
    for (const [finding, fingerprint] of byFinding) {
      const marked = issues.filter((issue) => issue.body.includes(findingMarker(fingerprint)));
      expect([finding, marked.length]).toEqual([finding, 1]);
      expect((await store.findings.get({ repo: FULL_NAME, fingerprint }))?.issueNumber).toBe(
        marked[0]?.number,
      );
    }

    // One history point per observation: each finding's own, in signal time, no more, no fewer.
    for (const [finding, fingerprint] of byFinding) {
      const history = await store.findings.evaluations({ repo: FULL_NAME, fingerprint, limit: 1000 });
      const expected = observations
        .filter((o) => o.finding === finding)
        .map((o) => ({ signalId: o.signalId, observedAt: o.observedAt.toISOString() }));
      expect(history.map((e) => ({ signalId: e.signalId, observedAt: e.observedAt }))).toEqual(expected);
    }

    // Each triage job ran once and was completed once: one attempt each, and the three instances'
    // /metrics count one outcome per job, all "done" (a job run twice would count a second outcome).
    const jobs = await store.jobs.list({ kind: "triage-delivery" });
    expect(jobs.filter((j) => j.attempts !== 1)).toEqual([]);
    expect(new Set(jobs.map((j) => j.idempotencyKey)).size).toBe(stored.length);
    const outcomes: Record<string, number> = {};
    for (const instance of instances)
      for (const [outcome, n] of Object.entries(await jobOutcomes(instance, "triage-delivery")))
        outcomes[outcome] = (outcomes[outcome] ?? 0) + n;
    expect(outcomes).toEqual({ done: stored.length });
    // No job of any kind (dashboard refreshes too) was dead-lettered along the way.
    expect((await store.jobs.list()).filter((j) => j.state === "dead")).toEqual([]);
  }, 240_000);
});
