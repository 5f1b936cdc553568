import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { triageDeliveryHandler } from "../../src/github/jobs/triage-delivery-handler.js";
import { createWorker } from "../../src/jobs/worker.js";
import { parseSignalSources } from "../../src/server/signals/sources-config.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { CONFIG, FULL_NAME, resetNock, testOctokit } from "../github/drift/drift-harness.js";
import { fakeGitHub } from "../github/drift/fake-github.js";
import { silentLog } from "../helpers/probot.js";
import { silentLog as intakeLog, post, startIntake, TOKEN } from "../server/signals/intake-harness.js";

// Issue 17: Prometheus keeps the last firing value in a resolved alert, and Alertmanager sends exactly
// one resolved notification. That one notification must close the drift issue.
const T0 = new Date("2026-11-24T06:00:00Z");
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);

/** What Alertmanager 0.25 posts for a Prometheus rule on fct_orders.customer_id completeness. */
function notification(status: "firing" | "resolved", endsAt: string) {
  const alert = {
    status,
    labels: {
      alertname: "OrdersCompletenessLow",
      dataset: "analytics.marts.fct_orders",
      column: "customer_id",
      metric: "completeness",
      severity: "warning",
      instance: "quality-exporter:9108",
      job: "quality",
    },
    annotations: { summary: "customer_id completeness is 0.93", value: "0.93" },
    startsAt: "2026-11-24T05:58:30.123Z",
    endsAt,
    generatorURL: "http://prometheus:9090/graph?g0.expr=orders_completeness+%3C+0.99&g0.tab=1",
    fingerprint: "8d1e4a0c7b2f3e91",
  };
  return {
    receiver: "backflow",
    status,
    alerts: [alert],
    groupLabels: { alertname: "OrdersCompletenessLow" },
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    externalURL: "http://alertmanager:9093",
    version: "4",
    groupKey: '{}:{alertname="OrdersCompletenessLow"}',
    truncatedAlerts: 0,
  };
}

describe("an Alertmanager alert from firing to resolved", () => {
  let store: SqliteStore;
  let server: Server;
  let port: number;
  let now: Date;

  beforeEach(async () => {
    store = openSqliteStore(":memory:");
    now = T0;
    const sources = parseSignalSources(
      JSON.stringify({
        sources: [{ id: "prometheus", bearerTokens: [TOKEN], repos: [FULL_NAME], format: "alertmanager" }],
      }),
      "sources.json",
    );
    ({ server, port } = await startIntake({ store, sources, clock: () => now, log: intakeLog }));
  });
  afterEach(async () => {
    resetNock();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  async function deliver(body: unknown) {
    return post({
      port,
      path: "/alertmanager",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${TOKEN}` },
    });
  }

  async function drain(): Promise<number> {
    const octokit = await testOctokit();
    const handlers = Object.fromEntries([
      triageDeliveryHandler({
        deps: { store, clock: () => now },
        log: silentLog(),
        octokitFor: async () => octokit,
      }),
    ]);
    return createWorker({ store, handlers, workerId: "e2e" }).drain();
  }

  it("opens the drift issue after two firing notifications and closes it on the one resolved notification", async () => {
    const github = fakeGitHub({ config: CONFIG, now: () => now });
    const firing = notification("firing", "0001-01-01T00:00:00Z");

    expect((await deliver(firing)).status).toBe(202);
    await drain();
    expect(github.issues.size).toBe(0);

    // Alertmanager's repeat of the same group (group_interval): the same body, after the dedupe window.
    now = minutes(15);
    expect((await deliver(firing)).status).toBe(202);
    await drain();
    expect(github.issues.size).toBe(1);
    expect(github.issues.get(1)?.state).toBe("open");

    // The resolved notification still carries the last firing value (0.93) in its annotations.
    now = minutes(25);
    const resolved = await deliver(notification("resolved", minutes(24).toISOString()));
    expect(resolved.status).toBe(202);
    await drain();
    expect(github.issues.get(1)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(github.comments.map((c) => c.issue)).toEqual([1]);
    expect(github.comments[0]?.body).toMatch(/^Recovered/);
  });
});
