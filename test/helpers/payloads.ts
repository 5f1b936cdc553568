import { createRequire } from "node:module";
import type { EmitterWebhookEvent, EmitterWebhookEventName } from "@octokit/webhooks";
import type { Probot } from "probot";
import { runQueuedJobs } from "./backflow-app.js";

type ExampleDefinition = { name: string; examples: Array<Record<string, unknown>> };

const require = createRequire(import.meta.url);
const definitions = require("@octokit/webhooks-examples") as ExampleDefinition[];

/** The installation id test payloads carry when their example has none. */
export const TEST_INSTALLATION_ID = 1;

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Merges `patch` into `base`: objects recursively, everything else (arrays included) replaced. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = deepMerge(base[key], value);
  return out;
}

/**
 * A REAL payload from @octokit/webhooks-examples for `event` (and `action`), deep-cloned, with
 * `overrides` merged in. Examples that carry an installation are preferred; one is added otherwise,
 * because Probot authenticates per installation.
 *
 * @example loadPayload("pull_request", { action: "opened", overrides: { pull_request: { head: { sha } } } })
 */
export function loadPayload(
  event: string,
  options: {
    action?: string;
    /** Picks among the examples, e.g. a push with commits rather than a tag push. */
    match?: (example: Record<string, unknown>) => boolean;
    overrides?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  const definition = definitions.find((d) => d.name === event);
  if (!definition) throw new Error(`@octokit/webhooks-examples has no "${event}" payloads`);
  const candidates = definition.examples.filter(
    (e) => (options.action === undefined || e.action === options.action) && (options.match?.(e) ?? true),
  );
  const example = candidates.find((e) => isPlainObject(e.installation)) ?? candidates[0];
  if (!example) throw new Error(`@octokit/webhooks-examples has no "${event}.${options.action}" payload`);
  const payload = structuredClone(example);
  if (!isPlainObject(payload.installation)) {
    payload.installation = { id: TEST_INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  }
  return deepMerge(payload, options.overrides ?? {}) as Record<string, unknown>;
}

let deliveryCounter = 0;

/**
 * Delivers `payload` to `probot` as event `name`, like GitHub would (a fresh delivery id unless
 * given), then runs the jobs the delivery queued, as a running worker would right after. A job's
 * error is rethrown. To see only what the webhook itself does, call `probot.receive`.
 */
export async function receive(
  probot: Probot,
  name: EmitterWebhookEventName | string,
  payload: Record<string, unknown>,
  id = `test-delivery-${++deliveryCounter}`,
): Promise<void> {
  await probot.receive({ id, name, payload } as unknown as EmitterWebhookEvent);
  await runQueuedJobs(probot);
}
