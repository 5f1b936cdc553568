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
      CREATE INDEX jobs_queued_due ON jobs (state, run_at, created_at, id);
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
  {
    version: 2,
    name: "signal deliveries and signals",
    sql: `
      CREATE TABLE signal_deliveries (
        source TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        repo TEXT NOT NULL,
        format TEXT NOT NULL,
        signal_count INTEGER NOT NULL,
        job_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'processed')),
        received_at BIGINT NOT NULL,
        processed_at BIGINT,
        raw_body TEXT NOT NULL,
        PRIMARY KEY (source, delivery_id)
      );
      CREATE INDEX signal_deliveries_pending ON signal_deliveries (state, received_at);

      CREATE TABLE signals (
        source TEXT NOT NULL,
        signal_id TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        repo TEXT NOT NULL,
        dataset TEXT NOT NULL,
        column_name TEXT NOT NULL,
        metric TEXT NOT NULL,
        value DOUBLE PRECISION,
        signal_type TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        observed_at BIGINT NOT NULL,
        received_at BIGINT NOT NULL,
        fingerprint TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'processed')),
        payload TEXT NOT NULL,
        PRIMARY KEY (source, signal_id)
      );
      CREATE INDEX signals_delivery ON signals (source, delivery_id);
      CREATE INDEX signals_metric_history ON signals (repo, dataset, column_name, metric, observed_at);
      CREATE INDEX signals_fingerprint_history ON signals (repo, fingerprint, observed_at);
      CREATE INDEX signals_repo_received ON signals (repo, received_at);
    `,
  },
  {
    version: 3,
    name: "findings, their evaluation history, annotations",
    sql: `
      CREATE TABLE findings (
        repo TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
        issue_number INTEGER,
        severity TEXT NOT NULL,
        opened_at BIGINT,
        resolved_at BIGINT,
        last_comment_at BIGINT,
        last_comment_signal_id TEXT,
        snoozed_until BIGINT,
        body_hash TEXT,
        finding TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (repo, fingerprint)
      );
      CREATE INDEX findings_repo_state ON findings (repo, state, updated_at);

      CREATE TABLE finding_evaluations (
        repo TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        point_key TEXT NOT NULL,
        observed_at BIGINT NOT NULL,
        evaluation TEXT NOT NULL,
        PRIMARY KEY (repo, fingerprint, point_key)
      );
      CREATE INDEX finding_evaluations_time ON finding_evaluations (repo, fingerprint, observed_at);

      CREATE TABLE annotations (
        id TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        dataset TEXT NOT NULL,
        kind TEXT NOT NULL,
        from_at BIGINT,
        to_at BIGINT,
        note TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX annotations_repo_window ON annotations (repo, from_at, to_at);
    `,
  },
  {
    version: 4,
    name: "expectations of merged pull requests",
    sql: `
      CREATE TABLE expectations (
        id TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        pr INTEGER NOT NULL,
        merge_sha TEXT NOT NULL,
        merged_at BIGINT NOT NULL,
        fingerprint TEXT NOT NULL,
        spec TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('watching', 'met', 'violated', 'inconclusive')),
        verdict TEXT,
        revert_pr INTEGER,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX expectations_watch ON expectations (repo, fingerprint, state);
      CREATE INDEX expectations_repo_state ON expectations (repo, state, merged_at);
    `,
  },
  {
    version: 5,
    name: "the author of an expectation's pull request",
    sql: `
      ALTER TABLE expectations ADD COLUMN author TEXT;
    `,
  },
  {
    version: 6,
    name: "job fencing tokens, fairness groups, idempotency keys held only by pending jobs; parse cache last use",
    sql: `
      ALTER TABLE jobs ADD COLUMN lease_token BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN fairness_key TEXT NOT NULL DEFAULT '';
      DROP INDEX jobs_idempotency_key;
      CREATE UNIQUE INDEX jobs_pending_idempotency_key ON jobs (idempotency_key) WHERE state IN ('queued', 'running');
      ALTER TABLE parse_cache ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
      CREATE INDEX parse_cache_last_used ON parse_cache (last_used_at);
      CREATE INDEX repo_state_updated ON repo_state (updated_at);
    `,
  },
  {
    version: 7,
    name: "signal deliveries keep the items they skipped, with reasons",
    sql: `
      ALTER TABLE signal_deliveries ADD COLUMN skipped TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 8,
    name: "post-merge canaries of merged pipeline pull requests",
    sql: `
      CREATE TABLE canaries (
        id TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        pr INTEGER NOT NULL,
        merge_sha TEXT NOT NULL,
        merged_at BIGINT NOT NULL,
        author TEXT,
        window_ends BIGINT NOT NULL,
        watched TEXT NOT NULL,
        series TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL CHECK (state IN ('watching', 'clean', 'regressed', 'no-signal')),
        ended INTEGER NOT NULL DEFAULT 0,
        summary TEXT,
        evidence TEXT NOT NULL DEFAULT '[]',
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX canaries_repo_window ON canaries (repo, window_ends);
    `,
  },
];
