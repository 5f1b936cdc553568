/**
 * PLACEHOLDER until the PostgreSQL queue lands (helper H2 owns this file and replaces it whole).
 * It stores enqueued jobs in a table of its own so the signal store can enqueue in its transaction,
 * and lists them; claiming and running jobs is the real queue's work and refuses here.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { fairnessKeyOf } from "../../core/jobs/fairness-key.js";
import type { EnqueueInput, JobRecord, JobState, JobStore } from "../store.js";
import { StoreError } from "../store-errors.js";
import type { PgDb, Queryable } from "./pg-db.js";

export type PgJobStore = JobStore & {
  /** Enqueues on the caller's client, inside the caller's transaction. */
  enqueueWith(client: pg.PoolClient, input: EnqueueInput): Promise<{ job: JobRecord; created: boolean }>;
};

type Row = {
  id: string;
  kind: string;
  payload: unknown;
  idempotency_key: string | null;
  state: JobState;
  max_attempts: number;
  run_at: Date;
  fairness_key: string;
  created_at: Date;
};

const toRecord = (row: Row): JobRecord => ({
  id: row.id,
  kind: row.kind,
  payload: row.payload,
  idempotencyKey: row.idempotency_key,
  state: row.state,
  attempts: 0,
  maxAttempts: row.max_attempts,
  runAt: row.run_at,
  leaseOwner: null,
  leaseUntil: null,
  leaseToken: 0,
  fairnessKey: row.fairness_key,
  lastError: null,
  createdAt: row.created_at,
});

const notYet = (what: string) =>
  new StoreError(
    `${what} is not available on PostgreSQL yet (the queue is being built); use SQLite for now.`,
  );

export function createPgJobStore(db: PgDb): PgJobStore {
  let ready: Promise<unknown> | undefined;
  const setup = () => {
    ready ??= db.query(
      `CREATE TABLE IF NOT EXISTS placeholder_jobs (id text PRIMARY KEY, kind text NOT NULL, payload json NOT NULL,
         idempotency_key text, state text NOT NULL, max_attempts integer NOT NULL, run_at timestamptz NOT NULL,
         fairness_key text NOT NULL, created_at timestamptz NOT NULL);
       CREATE UNIQUE INDEX IF NOT EXISTS placeholder_jobs_key ON placeholder_jobs (idempotency_key) WHERE state IN ('queued', 'running')`,
    );
    return ready;
  };
  const enqueueWith = async (client: Queryable, input: EnqueueInput) => {
    await setup();
    const key = input.idempotencyKey ?? null;
    const inserted = await client.query<Row>({
      text: `INSERT INTO placeholder_jobs VALUES ($1, $2, $3::json, $4, 'queued', $5, $6, $7, $8)
       ON CONFLICT (idempotency_key) WHERE state IN ('queued', 'running') DO NOTHING RETURNING *`,
      values: [
        randomUUID(),
        input.kind,
        JSON.stringify(input.payload ?? null),
        key,
        input.maxAttempts ?? 5,
        input.runAt ?? input.now,
        input.fairnessKey ?? fairnessKeyOf(input.kind, input.payload),
        input.now,
      ],
    });
    if (inserted.rows[0]) return { job: toRecord(inserted.rows[0]), created: true };
    const existing = await client.query<Row>({
      text: "SELECT * FROM placeholder_jobs WHERE idempotency_key = $1 AND state IN ('queued', 'running')",
      values: [key],
    });
    if (!existing.rows[0]) throw new StoreError(`enqueue of ${input.kind} inserted nothing`);
    return { job: toRecord(existing.rows[0]), created: false };
  };
  return {
    enqueueWith,
    enqueue: (input) => enqueueWith(db, input),
    async claim() {
      throw notYet("claiming jobs");
    },
    async complete() {
      throw notYet("completing jobs");
    },
    async fail() {
      throw notYet("failing jobs");
    },
    async release() {
      throw notYet("releasing jobs");
    },
    async extendLease() {
      throw notYet("extending job leases");
    },
    async retryDead() {
      throw notYet("retrying dead jobs");
    },
    async get(id) {
      await setup();
      const { rows } = await db.query<Row>("SELECT * FROM placeholder_jobs WHERE id = $1", [id]);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async list(filter = {}) {
      await setup();
      const { rows } = await db.query<Row>(
        `SELECT * FROM placeholder_jobs WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR kind = $2)
         ORDER BY created_at, id`,
        [filter.state ?? null, filter.kind ?? null],
      );
      return rows.map(toRecord);
    },
    async countByState() {
      await setup();
      const result: Record<JobState, number> = { queued: 0, running: 0, done: 0, dead: 0 };
      const { rows } = await db.query<{ state: JobState; n: number }>(
        "SELECT state, COUNT(*)::int AS n FROM placeholder_jobs GROUP BY state",
      );
      for (const row of rows) result[row.state] = row.n;
      return result;
    },
    async oldestDue({ now }) {
      await setup();
      const { rows } = await db.query<{ run_at: Date }>(
        "SELECT run_at FROM placeholder_jobs WHERE state = 'queued' AND run_at <= $1 ORDER BY run_at LIMIT 1",
        [now],
      );
      return rows[0]?.run_at ?? null;
    },
  };
}
