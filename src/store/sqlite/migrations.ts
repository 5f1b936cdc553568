/**
 * The SQLite schema, as an ordered list of migrations applied at open.
 *
 * To add tables or columns: APPEND an entry with the next `version` (last + 1) and a short `name`.
 * Never edit or reorder an entry that has shipped: databases in the field have already applied it,
 * and `schema_migrations` records its version. Keep the SQL portable (types TEXT / INTEGER / BIGINT,
 * `ON CONFLICT`, no SQLite-only functions) so a Postgres store can mirror it later.
 * Conventions: times are epoch milliseconds in BIGINT columns named `*_at` / `*_until`;
 * JSON payloads are TEXT.
 */
export type Migration = { readonly version: number; readonly name: string; readonly sql: string };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "jobs, leases, audit log, parse cache, repository state",
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        idempotency_key TEXT,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        run_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key);
      CREATE INDEX jobs_queued_due ON jobs (state, run_at);
      CREATE INDEX jobs_running_lease ON jobs (state, lease_until);

      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );

      CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        repo TEXT,
        target TEXT,
        detail TEXT NOT NULL
      );
      CREATE INDEX audit_log_repo_at ON audit_log (repo, at);
      CREATE INDEX audit_log_at ON audit_log (at);

      CREATE TABLE parse_cache (
        cache_key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE repo_state (
        repo TEXT NOT NULL,
        state_key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (repo, state_key)
      );
    `,
  },
];
