import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { EnqueueInput, JobRecord, JobState, JobStore } from "../store.js";
import { fromJson, fromMs, placeholders, toJson, toMs } from "./columns.js";

/** Jobs that do not say otherwise are dead-lettered after this many attempts. */
export const DEFAULT_MAX_ATTEMPTS = 5;

type JobRow = {
  id: string;
  kind: string;
  payload: string;
  idempotency_key: string | null;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
};

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    payload: fromJson(row.payload),
    idempotencyKey: row.idempotency_key,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: new Date(row.run_at),
    leaseOwner: row.lease_owner,
    leaseUntil: fromMs(row.lease_until),
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
  };
}

/**
 * A job is due when queued and its time has come, or when its claimer's lease ran out (the claimer died).
 * Each branch takes its own oldest row through an index, so a claim stays cheap with a long backlog.
 */
function claimSql(kindCount: number): string {
  const kinds = kindCount > 0 ? ` AND kind IN (${placeholders(kindCount)})` : "";
  const oldest = "ORDER BY run_at, created_at, id LIMIT 1";
  return `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?, updated_at = ?
    WHERE id = (
      SELECT id FROM (
        SELECT id, run_at, created_at FROM (
          SELECT id, run_at, created_at FROM jobs WHERE state = 'queued' AND run_at <= ?${kinds} ${oldest}
        ) AS queued_due
        UNION ALL
        SELECT id, run_at, created_at FROM (
          SELECT id, run_at, created_at FROM jobs WHERE state = 'running' AND lease_until < ?${kinds} ${oldest}
        ) AS lease_expired
      ) AS due ${oldest}
    )
    RETURNING *`;
}

/** The durable job queue on SQLite. `claim` is atomic across processes sharing the file. */
export function createSqliteJobStore(db: Database.Database): JobStore {
  const insert = db.prepare<unknown[], JobRow>(
    `INSERT INTO jobs (id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
  );
  const byKey = db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE idempotency_key = ?");
  const byId = db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?");
  const claimStatements = new Map<number, Database.Statement<unknown[], JobRow>>();
  const complete = db.prepare(
    `UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = ?
     WHERE id = ? AND state = 'running' AND lease_owner = ?`,
  );
  const fail = db.prepare(
    `UPDATE jobs SET state = ?, run_at = COALESCE(?, run_at), last_error = ?, lease_owner = NULL, lease_until = NULL,
     updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?`,
  );
  const extend = db.prepare(
    "UPDATE jobs SET lease_until = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
  );
  const retryDead = db.prepare(
    `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE id = ? AND state = 'dead'`,
  );
  const counts = db.prepare<[], { state: JobState; n: number }>(
    "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
  );

  const enqueueTx = db.transaction((input: EnqueueInput) => {
    const now = toMs(input.now);
    const key = input.idempotencyKey ?? null;
    const row = insert.get(
      randomUUID(),
      input.kind,
      toJson(input.payload),
      key,
      input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      toMs(input.runAt ?? input.now),
      now,
      now,
    );
    if (row) return { job: toRecord(row), created: true };
    const existing = key === null ? undefined : byKey.get(key);
    if (!existing)
      throw new Error(`enqueue of ${input.kind} inserted nothing and found no job for key ${key}`);
    return { job: toRecord(existing), created: false };
  });

  const claimTx = db.transaction(
    (workerId: string, now: number, leaseMs: number, kinds: readonly string[]) => {
      let statement = claimStatements.get(kinds.length);
      if (!statement) {
        statement = db.prepare<unknown[], JobRow>(claimSql(kinds.length));
        claimStatements.set(kinds.length, statement);
      }
      return statement.get(workerId, now + leaseMs, now, now, ...kinds, now, ...kinds);
    },
  );

  return {
    async enqueue(input) {
      return enqueueTx.immediate(input);
    },
    async claim({ workerId, now, leaseMs, kinds }) {
      if (kinds && kinds.length === 0) return null;
      const row = claimTx.immediate(workerId, toMs(now), leaseMs, kinds ?? []);
      return row ? toRecord(row) : null;
    },
    async complete({ id, workerId, now }) {
      return complete.run(toMs(now), id, workerId).changes === 1;
    },
    async fail({ id, workerId, error, retryAt, now }) {
      const state: JobState = retryAt === null ? "dead" : "queued";
      const at = retryAt === null ? null : toMs(retryAt);
      return fail.run(state, at, error, toMs(now), id, workerId).changes === 1;
    },
    async extendLease({ id, workerId, leaseUntil }) {
      return extend.run(toMs(leaseUntil), id, workerId).changes === 1;
    },
    async get(id) {
      const row = byId.get(id);
      return row ? toRecord(row) : null;
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.state) {
        where.push("state = ?");
        params.push(filter.state);
      }
      if (filter.kind) {
        where.push("kind = ?");
        params.push(filter.kind);
      }
      const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
      const rows = db
        .prepare<string[], JobRow>(`SELECT * FROM jobs${clause} ORDER BY created_at, id`)
        .all(...params);
      return rows.map(toRecord);
    },
    async countByState() {
      const result: Record<JobState, number> = { queued: 0, running: 0, done: 0, dead: 0 };
      for (const row of counts.all()) result[row.state] = row.n;
      return result;
    },
    async retryDead({ id, now }) {
      return retryDead.run(toMs(now), toMs(now), id).changes === 1;
    },
  };
}
