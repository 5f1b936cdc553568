/**
 * The job queue on PostgreSQL: graphile-worker 0.17's schema (its own migrator, `add_job`, its
 * LISTEN/NOTIFY and claim in src/jobs/pg-worker.ts) behind Backflow's JobStore.
 *
 * graphile-worker keeps a job locked until it finishes and only frees the locks of a dead process
 * after 4 hours; Backflow adds a lease per graphile worker (`backflow_queue_workers.lease_until`,
 * renewed by each running job's heartbeat) and frees the jobs of a worker whose lease ran out (see
 * `recoverStale`), so a SIGKILLed instance's jobs run elsewhere after one lease. Every state change
 * a worker makes is fenced on (job id, `locked_by`, `attempts`): a worker whose job was taken over
 * writes nothing. graphile deletes finished jobs; Backflow moves them to `backflow_finished_jobs`
 * in the same statement so `backflow jobs` and /metrics still see them until retention prunes them.
 *
 * States: locked → running; run_at = 'infinity' (or attempts ≥ max_attempts) → dead, its attempts
 * kept as they were and its key parked as `dead:<id>:<key>` so the key can be enqueued again (and
 * given back by retryDead); else queued.
 */
import { Logger, runMigrations } from "graphile-worker";
import type pg from "pg";
import { fairnessKeyOf } from "../../core/jobs/fairness-key.js";
import type { EnqueueInput, JobFence, JobRecord, JobState, JobStore } from "../store.js";
import { StoreError } from "../store-errors.js";
import type { PgDb, Queryable } from "./pg-db.js";

/** Jobs that do not say otherwise are dead-lettered after this many attempts (as on SQLite). */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** graphile-worker keeps max_attempts in a smallint. */
const MAX_ATTEMPTS_LIMIT = 32_767;

export type PgJobStore = JobStore & {
  /** Enqueues on the caller's client, inside the caller's transaction (nothing is queued if it rolls back). */
  enqueueWith(client: pg.PoolClient, input: EnqueueInput): Promise<{ job: JobRecord; created: boolean }>;
  /** Removes finished (done) jobs that finished before `before`; returns how many. */
  pruneFinished(before: Date): Promise<number>;
  /**
   * Frees the jobs of graphile workers whose lease ran out before `now` (their process died or
   * lost the database): the attempt stays spent, and a job out of attempts becomes dead.
   * `graceMs`: how long a fresh claim holds before its worker's lease must cover it.
   */
  recoverStale(input: { now: Date; graceMs: number }): Promise<number>;
  /** Renews the leases of these lock holders (graphile worker pools of one instance) until `leaseUntil`. */
  renewWorkers(input: { workerIds: readonly string[]; leaseUntil: Date }): Promise<void>;
  /** Installs or upgrades graphile-worker's schema and Backflow's queue tables (once per store). */
  ready(): Promise<void>;
  readonly db: PgDb;
};

/** Flags on each job: its kind and fairness group, so a worker can skip them (forbiddenFlags). */
export const kindFlag = (kind: string): string => `kind:${kind}`;
export const groupFlag = (group: string): string => `group:${group}`;

type Row = {
  id: string;
  kind: string;
  payload: unknown;
  key: string | null;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  locked_by: string | null;
  lease_until: Date | null;
  fairness_key: string | null;
  last_error: string | null;
  created_at: Date;
};

const DEAD_KEY = /^dead:\d+:/;

function toRecord(row: Row): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    idempotencyKey: row.key === null ? null : row.key.replace(DEAD_KEY, ""),
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    leaseOwner: row.state === "running" ? row.locked_by : null,
    leaseUntil: row.state === "running" ? row.lease_until : null,
    leaseToken: row.attempts,
    fairnessKey: row.fairness_key ?? `kind:${row.kind}`,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}

const JOBS = "graphile_worker._private_jobs";
/** A dead job: parked at the end of time (graphile never finds it due) or out of attempts. */
const DEAD = "(j.run_at = 'infinity' OR j.attempts >= j.max_attempts)";
const TASKS = "graphile_worker._private_tasks";

/** Live jobs (graphile's table) as Backflow job rows. */
const LIVE = `SELECT j.id::text AS id, t.identifier AS kind, j.payload, j.key,
    CASE WHEN j.locked_at IS NOT NULL THEN 'running' WHEN ${DEAD} THEN 'dead' ELSE 'queued' END AS state,
    j.attempts::int AS attempts, j.max_attempts::int AS max_attempts,
    CASE WHEN j.run_at = 'infinity' THEN j.updated_at ELSE j.run_at END AS run_at, j.locked_by, w.lease_until,
    (SELECT substr(f, 7) FROM jsonb_object_keys(j.flags) AS f WHERE f LIKE 'group:%' LIMIT 1) AS fairness_key,
    j.last_error, j.created_at
  FROM ${JOBS} j JOIN ${TASKS} t ON t.id = j.task_id
  LEFT JOIN backflow_queue_workers w ON w.worker_id = j.locked_by`;

/** Finished jobs, kept until retention prunes them. */
const FINISHED = `SELECT id::text AS id, kind, payload, idempotency_key AS key, 'done' AS state, attempts, max_attempts,
    run_at, NULL::text AS locked_by, NULL::timestamptz AS lease_until, fairness_key, NULL::text AS last_error, created_at
  FROM backflow_finished_jobs`;

const ALL = `(${LIVE} UNION ALL ${FINISHED}) AS jobs`;

/** A fenced job: still locked by this worker, for this claim (attempts is the claim's token). */
const HELD = "id = $1::bigint AND locked_by = $2 AND ($3::int IS NULL OR attempts = $3::int)";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS backflow_queue_workers (
    worker_id text PRIMARY KEY,
    lease_until timestamptz NOT NULL
  );
  CREATE TABLE IF NOT EXISTS backflow_finished_jobs (
    id bigint PRIMARY KEY,
    kind text NOT NULL,
    payload json NOT NULL,
    idempotency_key text,
    attempts int NOT NULL,
    max_attempts int NOT NULL,
    run_at timestamptz NOT NULL,
    fairness_key text,
    created_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL
  );
  CREATE INDEX IF NOT EXISTS backflow_finished_jobs_finished_at ON backflow_finished_jobs (finished_at);`;

/** Any constant both the store and every instance agree on (serialises queue schema installs). */
const SCHEMA_LOCK = 0x6266_7100;

async function installSchema(db: PgDb): Promise<void> {
  // graphile-worker wants every pooled client to have an error listener (it warns otherwise); a
  // client whose connection died is dropped by the pool and by pg-db's transaction either way.
  if (db.pool.listenerCount("connect") === 0) {
    db.pool.on("connect", (client) => client.on("error", () => undefined));
  }
  const client = await db.pool.connect();
  try {
    // graphile-worker's migrator is not safe to run twice at once; instances starting together take turns.
    await client.query("SELECT pg_advisory_lock($1)", [SCHEMA_LOCK]);
    try {
      await runMigrations({ pgPool: db.pool, logger: quietLogger() });
      await client.query(SCHEMA);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [SCHEMA_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** graphile-worker's logger, silenced (Backflow logs what matters itself). */
export function quietLogger(): Logger {
  return new Logger(() => () => undefined);
}

function checkMaxAttempts(kind: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1 && value <= MAX_ATTEMPTS_LIMIT)) {
    throw new StoreError(
      `job kind "${kind}": maxAttempts must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}`,
    );
  }
  return value;
}

/**
 * The JobStore on graphile-worker's tables.
 * @example const jobs = createPgJobStore(createPgDb(url)); await jobs.enqueue({ kind: "prune-store", payload: {}, now: new Date() });
 */
export function createPgJobStore(db: PgDb): PgJobStore {
  let installed: Promise<void> | undefined;
  const ready = () => {
    installed ??= installSchema(db).catch((error: unknown) => {
      installed = undefined;
      throw error;
    });
    return installed;
  };

  async function byId(client: Queryable, id: string): Promise<Row | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    // The id is compared as bigint inside each branch, where the primary keys can answer it: a filter on
    // the union's text id scans every job, which made each enqueue cost O(queue length) under a backlog.
    const { rows } = await client.query<Row>({
      name: "bf_job_by_id",
      text: `${LIVE} WHERE j.id = $1::bigint UNION ALL ${FINISHED} WHERE id = $1::bigint`,
      values: [id],
    });
    return rows[0];
  }

  async function enqueueWith(
    client: Queryable,
    input: EnqueueInput,
  ): Promise<{ job: JobRecord; created: boolean }> {
    await ready();
    const key = input.idempotencyKey ?? null;
    if (key !== null && (key.length === 0 || key.length > 512 || DEAD_KEY.test(key))) {
      throw new StoreError(
        `idempotency key of ${input.kind} must be 1–512 characters and not start with "dead:<n>:"`,
      );
    }
    const fairness = input.fairnessKey ?? fairnessKeyOf(input.kind, input.payload);
    // unsafe_dedupe: a job holding the key, queued or running, is returned unchanged (revision > 0);
    // finished jobs left the table and dead ones parked their key, so neither blocks a new job.
    const { rows } = await client.query<{ id: string; revision: number }>({
      text: `SELECT id::text AS id, revision FROM graphile_worker.add_job($1, $2::json, NULL, $3, $4, $5, NULL, $6, 'unsafe_dedupe')`,
      values: [
        input.kind,
        JSON.stringify(input.payload ?? null),
        input.runAt ?? input.now,
        checkMaxAttempts(input.kind, input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
        key,
        [kindFlag(input.kind), groupFlag(fairness)],
      ],
    });
    const added = rows[0];
    if (!added) throw new StoreError(`enqueue of ${input.kind} returned no job`);
    const row = await byId(client, added.id);
    if (!row) throw new StoreError(`enqueued ${input.kind} job ${added.id} but cannot read it back`);
    return { job: toRecord(row), created: added.revision === 0 };
  }

  async function recoverStale({ now, graceMs }: { now: Date; graceMs: number }): Promise<number> {
    await ready();
    const { rowCount } = await db.query(
      `WITH stale AS (
         SELECT j.id FROM ${JOBS} j LEFT JOIN backflow_queue_workers w ON w.worker_id = j.locked_by
         WHERE j.locked_at IS NOT NULL
           -- A claim is good for the grace by itself (its worker may not have renewed yet, or its
           -- lease row is stale from before an outage); after that only the worker's lease holds it.
           AND GREATEST(COALESCE(w.lease_until, '-infinity'), j.locked_at + $2 * interval '1 millisecond') < $1
         FOR UPDATE OF j SKIP LOCKED)
       UPDATE ${JOBS} j SET locked_at = NULL, locked_by = NULL, updated_at = $1,
         last_error = CASE WHEN j.attempts >= j.max_attempts
           THEN 'gave up after ' || j.attempts || ' attempts: the worker running it stopped before finishing (last error: ' || COALESCE(j.last_error, 'none') || ')'
           ELSE COALESCE(j.last_error, 'the worker running it stopped before finishing') END,
         key = CASE WHEN j.attempts >= j.max_attempts AND j.key IS NOT NULL THEN 'dead:' || j.id || ':' || j.key ELSE j.key END,
         run_at = CASE WHEN j.attempts >= j.max_attempts THEN 'infinity' ELSE j.run_at END
       FROM stale WHERE j.id = stale.id`,
      [now, graceMs],
    );
    // Workers whose lease ran out long ago hold nothing any more; forget them.
    await db.query(
      `DELETE FROM backflow_queue_workers w WHERE lease_until < $1
         AND NOT EXISTS (SELECT 1 FROM ${JOBS} j WHERE j.locked_by = w.worker_id)`,
      [new Date(now.getTime() - 3_600_000)],
    );
    return rowCount ?? 0;
  }

  const fenceValues = (fence: JobFence) => [fence.id, fence.workerId, fence.leaseToken ?? null];

  return {
    db,
    ready,
    enqueueWith,
    enqueue: (input) => enqueueWith(db.pool, input),

    async claim(input) {
      await ready();
      if (input.kinds && input.kinds.length === 0) return null;
      await recoverStale({ now: input.now, graceMs: input.leaseMs });
      return db.transaction(async (client) => {
        const { rows } = await client.query<{ id: string }>({
          text: `UPDATE ${JOBS} SET locked_at = $2, locked_by = $1, attempts = attempts + 1, updated_at = $2
            WHERE id = (
              SELECT j.id FROM ${JOBS} j JOIN ${TASKS} t ON t.id = j.task_id
              WHERE j.is_available AND j.run_at <= $2
                AND ($3::text[] IS NULL OR t.identifier = ANY($3))
                AND NOT (t.identifier = ANY($4::text[]))
                AND NOT (COALESCE(j.flags, '{}'::jsonb) ?| $5::text[])
              ORDER BY j.priority, j.run_at, j.id LIMIT 1 FOR UPDATE OF j SKIP LOCKED)
            RETURNING id::text AS id`,
          values: [
            input.workerId,
            input.now,
            input.kinds ?? null,
            input.excludeKinds ?? [],
            (input.excludeFairnessKeys ?? []).map(groupFlag),
          ],
        });
        const claimed = rows[0];
        if (!claimed) return null;
        await client.query({
          text: `INSERT INTO backflow_queue_workers (worker_id, lease_until) VALUES ($1, $2)
            ON CONFLICT (worker_id) DO UPDATE SET lease_until = GREATEST(backflow_queue_workers.lease_until, $2)`,
          values: [input.workerId, new Date(input.now.getTime() + input.leaseMs)],
        });
        const row = await byId(client, claimed.id);
        return row ? toRecord(row) : null;
      });
    },

    async complete(fence) {
      await ready();
      const { rowCount } = await db.query(
        `WITH done AS (DELETE FROM ${JOBS} WHERE ${HELD} RETURNING *)
         INSERT INTO backflow_finished_jobs (id, kind, payload, idempotency_key, attempts, max_attempts, run_at,
           fairness_key, created_at, finished_at)
         SELECT d.id, t.identifier, d.payload, d.key, d.attempts, d.max_attempts, d.run_at,
           (SELECT substr(f, 7) FROM jsonb_object_keys(d.flags) AS f WHERE f LIKE 'group:%' LIMIT 1),
           d.created_at, $4
         FROM done d JOIN ${TASKS} t ON t.id = d.task_id`,
        [...fenceValues(fence), fence.now],
      );
      return rowCount === 1;
    },

    async fail(input) {
      await ready();
      const dead = input.retryAt === null;
      // A dead job waits at the end of time (graphile never claims it again) and parks its key.
      const { rowCount } = await db.query(
        `UPDATE ${JOBS} SET locked_at = NULL, locked_by = NULL, last_error = $4, updated_at = $5,
           run_at = CASE WHEN $7 THEN 'infinity' ELSE COALESCE($6, run_at) END,
           key = CASE WHEN $7 AND key IS NOT NULL THEN 'dead:' || id || ':' || key ELSE key END
         WHERE ${HELD}`,
        [...fenceValues(input), input.error, input.now, input.retryAt, dead],
      );
      return rowCount === 1;
    },

    async release(input) {
      await ready();
      const { rowCount } = await db.query(
        `UPDATE ${JOBS} SET locked_at = NULL, locked_by = NULL, attempts = GREATEST(attempts - 1, 0),
           run_at = $4, last_error = COALESCE($5, last_error), updated_at = $6
         WHERE ${HELD}`,
        [...fenceValues(input), input.runAt ?? input.now, input.reason ?? null, input.now],
      );
      return rowCount === 1;
    },

    async extendLease(input) {
      await ready();
      // The lease belongs to the graphile worker (one job at a time); renewing it proves the job is still ours.
      const { rowCount } = await db.query(
        `INSERT INTO backflow_queue_workers (worker_id, lease_until)
         SELECT $2, $4 FROM ${JOBS} WHERE ${HELD}
         ON CONFLICT (worker_id) DO UPDATE SET lease_until = GREATEST(backflow_queue_workers.lease_until, EXCLUDED.lease_until)`,
        [...fenceValues(input), input.leaseUntil],
      );
      return rowCount === 1;
    },

    recoverStale,

    async renewWorkers({ workerIds, leaseUntil }) {
      await ready();
      await db.query(
        `INSERT INTO backflow_queue_workers (worker_id, lease_until) SELECT unnest($1::text[]), $2
         ON CONFLICT (worker_id) DO UPDATE SET lease_until = GREATEST(backflow_queue_workers.lease_until, EXCLUDED.lease_until)`,
        [workerIds, leaseUntil],
      );
    },

    async get(id) {
      await ready();
      const row = await byId(db.pool, id);
      return row ? toRecord(row) : null;
    },

    async list(filter = {}) {
      await ready();
      const { rows } = await db.query<Row>(
        `SELECT * FROM ${ALL} WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR kind = $2)
         ORDER BY created_at, id::bigint`,
        [filter.state ?? null, filter.kind ?? null],
      );
      return rows.map(toRecord);
    },

    async countByState() {
      await ready();
      const result: Record<JobState, number> = { queued: 0, running: 0, done: 0, dead: 0 };
      const { rows } = await db.query<{ state: JobState; n: number }>(
        `SELECT state, COUNT(*)::int AS n FROM (
           SELECT CASE WHEN locked_at IS NOT NULL THEN 'running' WHEN ${DEAD} THEN 'dead' ELSE 'queued' END AS state
           FROM ${JOBS} j
           UNION ALL SELECT 'done' FROM backflow_finished_jobs) s GROUP BY state`,
      );
      for (const row of rows) result[row.state] = row.n;
      return result;
    },

    async oldestDue({ now }) {
      await ready();
      const { rows } = await db.query<{ run_at: Date }>(
        `SELECT run_at FROM ${JOBS} WHERE is_available AND run_at <= $1 ORDER BY run_at LIMIT 1`,
        [now],
      );
      return rows[0]?.run_at ?? null;
    },

    async retryDead({ id, now }) {
      await ready();
      if (!/^\d{1,18}$/.test(id)) return false;
      try {
        const { rowCount } = await db.query(
          `UPDATE ${JOBS} SET attempts = 0, run_at = $2, updated_at = $2,
             key = CASE WHEN key LIKE 'dead:%' THEN regexp_replace(key, '^dead:[0-9]+:', '') ELSE key END
           WHERE id = $1::bigint AND locked_at IS NULL AND (run_at = 'infinity' OR attempts >= max_attempts)`,
          [id, now],
        );
        return rowCount === 1;
      } catch (error) {
        if ((error as { code?: string }).code !== "23505") throw error;
        throw new StoreError(
          `job ${id} cannot be retried: its idempotency key was enqueued again and that job is still queued or running`,
        );
      }
    },

    async pruneFinished(before) {
      await ready();
      const { rowCount } = await db.query("DELETE FROM backflow_finished_jobs WHERE finished_at < $1", [
        before,
      ]);
      return rowCount ?? 0;
    },
  };
}
