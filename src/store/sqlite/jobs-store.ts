import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { fairnessKeyOf } from "../../core/jobs/fairness-key.js";
import type { ClaimInput, EnqueueInput, JobRecord, JobState, JobStore } from "../store.js";
import { StoreError } from "../store-errors.js";
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
  lease_token: number;
  fairness_key: string;
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
    leaseToken: row.lease_token,
    fairnessKey: row.fairness_key,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
  };
}

/** Only a job still queued or running holds its idempotency key (the partial unique index of migration 6). */
const ACTIVE_KEY = "(idempotency_key) WHERE state IN ('queued', 'running')";

/**
 * Inserts a job inside the caller's transaction (the signal store enqueues with its delivery). A key
 * held by a queued or running job returns that job instead; a finished job's key is free again.
 */
export function prepareJobInsert(
  db: Database.Database,
): (input: EnqueueInput) => { job: JobRecord; created: boolean } {
  const insert = db.prepare<unknown[], JobRow>(
    `INSERT INTO jobs (id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, fairness_key,
       created_at, updated_at)
     VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)
     ON CONFLICT ${ACTIVE_KEY} DO NOTHING RETURNING *`,
  );
  const activeByKey = db.prepare<[string], JobRow>(
    "SELECT * FROM jobs WHERE idempotency_key = ? AND state IN ('queued', 'running')",
  );
  return (input) => {
    const now = toMs(input.now);
    const key = input.idempotencyKey ?? null;
    const row = insert.get(
      randomUUID(),
      input.kind,
      toJson(input.payload),
      key,
      input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      toMs(input.runAt ?? input.now),
      input.fairnessKey ?? fairnessKeyOf(input.kind, input.payload),
      now,
      now,
    );
    if (row) return { job: toRecord(row), created: true };
    const existing = key === null ? undefined : activeByKey.get(key);
    if (!existing)
      throw new Error(`enqueue of ${input.kind} inserted nothing and found no job for key ${key}`);
    return { job: toRecord(existing), created: false };
  };
}

function notIn(column: string, count: number): string {
  return count > 0 ? ` AND ${column} NOT IN (${placeholders(count)})` : "";
}

/**
 * A job is due when queued and its time has come, or when its claimer's lease ran out (the claimer died).
 * Each branch takes its own oldest row through an index, so a claim stays cheap with a long backlog.
 * Kinds and fairness groups the worker has no room for are skipped, so the oldest job it can run wins.
 */
function claimSql(kinds: number, excludeKinds: number, excludeGroups: number): string {
  const filter = `${kinds > 0 ? ` AND kind IN (${placeholders(kinds)})` : ""}${notIn("kind", excludeKinds)}${notIn("fairness_key", excludeGroups)}`;
  const oldest = "ORDER BY run_at, created_at, id LIMIT 1";
  return `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?,
      lease_token = lease_token + 1, updated_at = ?
    WHERE id = (
      SELECT id FROM (
        SELECT id, run_at, created_at FROM (
          SELECT id, run_at, created_at FROM jobs WHERE state = 'queued' AND run_at <= ?${filter} ${oldest}
        ) AS queued_due
        UNION ALL
        SELECT id, run_at, created_at FROM (
          SELECT id, run_at, created_at FROM jobs WHERE state = 'running' AND lease_until < ?${filter} ${oldest}
        ) AS lease_expired
      ) AS due ${oldest}
    )
    RETURNING *`;
}

/** `AND lease_token = ?` when the caller fences on its claim's token; the holder check otherwise. */
const HELD = "id = ? AND state = 'running' AND lease_owner = ? AND (? IS NULL OR lease_token = ?)";

/** The durable job queue on SQLite. `claim` is atomic across processes sharing the file. */
export function createSqliteJobStore(db: Database.Database): JobStore {
  const insertJob = prepareJobInsert(db);
  const byId = db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?");
  const claimStatements = new Map<string, Database.Statement<unknown[], JobRow>>();
  const complete = db.prepare(
    `UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = ?
     WHERE ${HELD}`,
  );
  const fail = db.prepare(
    `UPDATE jobs SET state = ?, run_at = COALESCE(?, run_at), last_error = ?, lease_owner = NULL, lease_until = NULL,
     updated_at = ? WHERE ${HELD}`,
  );
  const release = db.prepare(
    `UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), run_at = ?, last_error = COALESCE(?, last_error),
     lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE ${HELD}`,
  );
  const extend = db.prepare(`UPDATE jobs SET lease_until = ? WHERE ${HELD}`);
  const retryDead = db.prepare(
    `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE id = ? AND state = 'dead'`,
  );
  const counts = db.prepare<[], { state: JobState; n: number }>(
    "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
  );
  const oldestDue = db.prepare<[number], { run_at: number }>(
    "SELECT run_at FROM jobs WHERE state = 'queued' AND run_at <= ? ORDER BY run_at LIMIT 1",
  );

  const enqueueTx = db.transaction((input: EnqueueInput) => insertJob(input));

  const claimTx = db.transaction((input: ClaimInput) => {
    const kinds = input.kinds ?? [];
    const excludeKinds = input.excludeKinds ?? [];
    const excludeGroups = input.excludeFairnessKeys ?? [];
    const shape = `${kinds.length}:${excludeKinds.length}:${excludeGroups.length}`;
    let statement = claimStatements.get(shape);
    if (!statement) {
      statement = db.prepare<unknown[], JobRow>(
        claimSql(kinds.length, excludeKinds.length, excludeGroups.length),
      );
      claimStatements.set(shape, statement);
    }
    const now = toMs(input.now);
    const filter = [...kinds, ...excludeKinds, ...excludeGroups];
    return statement.get(input.workerId, now + input.leaseMs, now, now, ...filter, now, ...filter);
  });

  return {
    async enqueue(input) {
      return enqueueTx.immediate(input);
    },
    async claim(input) {
      if (input.kinds && input.kinds.length === 0) return null;
      const row = claimTx.immediate(input);
      return row ? toRecord(row) : null;
    },
    async complete({ id, workerId, leaseToken, now }) {
      const token = leaseToken ?? null;
      return complete.run(toMs(now), id, workerId, token, token).changes === 1;
    },
    async fail({ id, workerId, leaseToken, error, retryAt, now }) {
      const state: JobState = retryAt === null ? "dead" : "queued";
      const at = retryAt === null ? null : toMs(retryAt);
      const token = leaseToken ?? null;
      return fail.run(state, at, error, toMs(now), id, workerId, token, token).changes === 1;
    },
    async release({ id, workerId, leaseToken, runAt, reason, now }) {
      const token = leaseToken ?? null;
      return (
        release.run(toMs(runAt ?? now), reason ?? null, toMs(now), id, workerId, token, token).changes === 1
      );
    },
    async extendLease({ id, workerId, leaseToken, leaseUntil }) {
      const token = leaseToken ?? null;
      return extend.run(toMs(leaseUntil), id, workerId, token, token).changes === 1;
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
    async oldestDue({ now }) {
      const row = oldestDue.get(toMs(now));
      return row ? new Date(row.run_at) : null;
    },
    async retryDead({ id, now }) {
      try {
        return retryDead.run(toMs(now), toMs(now), id).changes === 1;
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_CONSTRAINT_UNIQUE") throw error;
        throw new StoreError(
          `job ${id} cannot be retried: its idempotency key was enqueued again and that job is still queued or running`,
        );
      }
    },
  };
}
