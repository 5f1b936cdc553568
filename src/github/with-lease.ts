import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/store.js";
import type { Clock } from "./app-deps.js";

export type LeaseOutcome<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

/** A lease owner unique to this call, readable in the leases table (`<label>:<uuid>`). */
export function leaseOwner(label: string): string {
  return `${label}:${randomUUID()}`;
}

/** Waiters in this process by lease name: a release here wakes them at once instead of at their next poll. */
const waiters = new Map<string, Set<() => void>>();

function wakeWaiters(name: string): void {
  for (const wake of waiters.get(name) ?? []) wake();
}

/** Sleeps `ms`, or less when a holder in this process releases `name`. */
async function waitForRelease(name: string, ms: number): Promise<void> {
  const controller = new AbortController();
  const wake = () => controller.abort();
  const set = waiters.get(name) ?? new Set();
  set.add(wake);
  waiters.set(name, set);
  try {
    await sleep(ms, undefined, { signal: controller.signal }).catch(() => undefined);
  } finally {
    set.delete(wake);
    if (set.size === 0) waiters.delete(name);
  }
}

/**
 * Runs `work` while holding the named lease, so concurrent deliveries for the same target run one
 * after the other (the second then sees what the first wrote). The lease is renewed every third of
 * `ttlMs` while `work` runs; if a renewal finds it taken over, `work`'s signal aborts and it must stop
 * writing. A busy lease is retried with backoff (`pollMs` doubling up to 1 s), or sooner when its holder
 * in this process releases it; after `waitMs` of waiting it gives up with `{ acquired: false }` rather
 * than running unserialized. Times written to the store come from `clock`.
 * @example await withLease({ store, name: `issue:${repoKey}:${fp}`, owner: leaseOwner("triage"), clock }, async (signal) => write(signal))
 */
export async function withLease<T>(
  input: {
    store: Pick<Store, "leases">;
    name: string;
    owner: string;
    clock: Clock;
    ttlMs?: number;
    waitMs?: number;
    pollMs?: number;
  },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<LeaseOutcome<T>> {
  const { store, name, owner, clock } = input;
  const ttlMs = input.ttlMs ?? 60_000;
  const waitMs = input.waitMs ?? 15_000;
  let delay = input.pollMs ?? 25;
  let waited = 0;
  while (!(await store.leases.acquire({ name, owner, now: clock(), ttlMs }))) {
    if (waited >= waitMs) return { acquired: false };
    const step = Math.min(delay, waitMs - waited);
    await waitForRelease(name, step);
    waited += step;
    delay = Math.min(delay * 2, 1000);
  }
  const controller = new AbortController();
  const renewal = setInterval(
    () => {
      store.leases.renew({ name, owner, now: clock(), ttlMs }).then(
        (held) => {
          if (!held) controller.abort(new Error(`lease ${name} was taken over by another owner`));
        },
        () => {}, // a failed renewal is retried at the next tick; the lease outlives a few of them
      );
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  try {
    return { acquired: true, value: await work(controller.signal) };
  } finally {
    clearInterval(renewal);
    await store.leases.release({ name, owner });
    wakeWaiters(name);
  }
}
