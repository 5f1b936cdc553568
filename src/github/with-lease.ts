import { randomUUID } from "node:crypto";
import type { Store } from "../store/store.js";
import type { Clock } from "./app-deps.js";

export type LeaseOutcome<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

/** A lease owner unique to this call, readable in the leases table (`<label>:<uuid>`). */
export function leaseOwner(label: string): string {
  return `${label}:${randomUUID()}`;
}

/**
 * Runs `work` while holding the named lease, so concurrent deliveries for the same target run one
 * after the other (the second then sees what the first wrote). Waits up to `waitMs` for a busy lease;
 * gives up with `{ acquired: false }` rather than running unserialized.
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
  work: () => Promise<T>,
): Promise<LeaseOutcome<T>> {
  const { store, name, owner, clock } = input;
  const ttlMs = input.ttlMs ?? 60_000;
  const pollMs = input.pollMs ?? 25;
  const deadline = Date.now() + (input.waitMs ?? 15_000);
  while (!(await store.leases.acquire({ name, owner, now: clock(), ttlMs }))) {
    if (Date.now() >= deadline) return { acquired: false };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return { acquired: true, value: await work() };
  } finally {
    await store.leases.release({ name, owner });
  }
}
