/**
 * How long a lease around a repository or finding outlives its holder. `withLease` renews it every
 * third of this while the work runs, so it can be short: a worker killed mid-run frees its target
 * within 15 s and the retried job (on any instance) takes over.
 */
export const LEASE_TTL_MS = 15_000;
