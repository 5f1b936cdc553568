import nock from "nock";
import type { ProbotOctokit } from "probot";
import { adaptSignals } from "../../../src/core/signals/detect-format.js";
import { triageDelivery } from "../../../src/github/drift/triage-delivery.js";
import { triageDeliveryJobInput } from "../../../src/server/signals/triage-delivery-job.js";
import type { Store } from "../../../src/store/store.js";
import { mockInstallationToken } from "../../helpers/github-nock.js";
import { createTestProbot, silentLog } from "../../helpers/probot.js";
import { OWNER, REPO } from "./fake-github.js";

export const FULL_NAME = `${OWNER}/${REPO}`;

/** The example config, with users and a team owning fct_orders (for assignee tests). */
export const CONFIG = `
dialect: postgres
models: { paths: ["models/**/*.sql"] }
contracts: { paths: ["contracts/**/*.yaml"] }
owners:
  "fct_orders": ["@carol", "@ghost", "@shop-data/analytics-eng"]
signals:
  thresholds:
    - { dataset: fct_orders, column: customer_id, metric: completeness, min: 0.99 }
`;

/** A canonical completeness signal on fct_orders.customer_id. */
export function completeness(input: { id: string; at: Date; value: number; severity?: string }) {
  return {
    id: input.id,
    source: { kind: "backflow", producer: "order-quality" },
    observedAt: input.at.toISOString(),
    type: "metric_breach",
    // A healthy value is sent as a bare measurement (no status), so hysteresis decides when it recovers.
    ...(input.value < 0.99 ? { status: "firing" } : {}),
    severity: input.severity ?? "error",
    dataset: { name: "analytics.marts.fct_orders" },
    column: "customer_id",
    measurement: { metric: "completeness", kind: "completeness", value: input.value },
    message: `completeness is ${input.value}`,
  };
}

/** An installation Octokit for tests (token request mocked, retries off). */
export async function testOctokit(): Promise<ProbotOctokit> {
  mockInstallationToken(1);
  const probot = await createTestProbot();
  return probot.auth(1);
}

/** Stores a delivery as the intake would (signals + queued job), without HTTP. */
export async function deliver(store: Store, deliveryId: string, body: unknown, now: Date): Promise<void> {
  const signals = adaptSignals(body, { source: "monitor", receivedAt: now, deliveryId });
  await store.signals.recordDelivery({
    deliveryId,
    source: "monitor",
    repo: FULL_NAME,
    format: "backflow",
    rawBody: JSON.stringify(body),
    signals,
    receivedAt: now,
    job: triageDeliveryJobInput({ source: "monitor", deliveryId, repo: FULL_NAME }, now),
  });
}

/** Stores a delivery and triages it at once; returns the triage result. */
export async function deliverAndTriage(input: {
  store: Store;
  octokit: ProbotOctokit;
  clock: () => Date;
  deliveryId: string;
  body: unknown;
}) {
  await deliver(input.store, input.deliveryId, input.body, input.clock());
  return triageDelivery({
    octokit: input.octokit,
    deps: { store: input.store, clock: input.clock },
    log: silentLog(),
    source: "monitor",
    deliveryId: input.deliveryId,
    repo: FULL_NAME,
  });
}

export function resetNock(): void {
  nock.cleanAll();
}
