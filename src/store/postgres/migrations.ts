/**
 * The PostgreSQL schema, as an ordered list of migrations applied at start-up (apply-migrations.ts).
 *
 * RULES (several instances share one database, and a new version is rolled out instance by instance
 * while the old one still runs):
 * - APPEND only: the next `version` is last + 1. Never edit, reorder or remove an entry that has
 *   shipped; databases in the field record the versions they applied in `backflow_schema`.
 * - Within a minor version, migrations are ADDITIVE: new tables, new nullable columns or columns
 *   with a default, new indexes (CREATE INDEX, not CONCURRENTLY: migrations run in a transaction).
 *   No DROP, no RENAME, no type change, no new NOT NULL without a default, no new CHECK that old
 *   rows or the old code's writes could fail: the previous version keeps reading and writing the
 *   same tables until the last old instance stops. Removing or reshaping something takes two minor
 *   versions: stop using it in one, drop it in the next.
 * - Every statement must be valid PostgreSQL 13+ and safe to run exactly once inside the
 *   transaction that records its version.
 * Conventions: times are `timestamptz`; JSON documents are `json` (kept verbatim: key order and
 * `\u0000` escapes survive, which `jsonb` would change or refuse; nothing queries inside them);
 * raw bodies are `bytea`; keys and identifiers are `text COLLATE "C"` so ordering and prefix ranges
 * compare bytes, as SQLite does, whatever the database's default collation.
 * The job queue's own tables are not here: the queue (jobs-store.ts) manages them.
 */
export type PgMigration = { readonly version: number; readonly name: string; readonly sql: string };

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: "leases, audit log, parse cache, repository state, signals, findings, annotations, expectations, canaries",
    sql: `
      CREATE TABLE leases (
        name text COLLATE "C" PRIMARY KEY,
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX leases_expires ON leases (expires_at);

      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text COLLATE "C" NOT NULL,
        repo text COLLATE "C",
        target text,
        detail json NOT NULL
      );
      CREATE INDEX audit_log_repo_at ON audit_log (repo, at);
      CREATE INDEX audit_log_at ON audit_log (at);

      -- last_used_at NULL: read or written since the last prune, which stamps it with its own now.
      CREATE TABLE parse_cache (
        cache_key text COLLATE "C" PRIMARY KEY,
        value json NOT NULL,
        last_used_at timestamptz
      );
      CREATE INDEX parse_cache_last_used ON parse_cache (last_used_at);

      CREATE TABLE repo_state (
        repo text COLLATE "C" NOT NULL,
        state_key text COLLATE "C" NOT NULL,
        value json NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (repo, state_key)
      );
      CREATE INDEX repo_state_updated ON repo_state (updated_at);

      CREATE TABLE signal_deliveries (
        source text COLLATE "C" NOT NULL,
        delivery_id text COLLATE "C" NOT NULL,
        repo text COLLATE "C" NOT NULL,
        format text NOT NULL,
        signal_count integer NOT NULL,
        job_id text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'processed')),
        received_at timestamptz NOT NULL,
        processed_at timestamptz,
        skipped json NOT NULL DEFAULT '[]',
        raw_body bytea NOT NULL,
        PRIMARY KEY (source, delivery_id)
      );
      CREATE INDEX signal_deliveries_pending ON signal_deliveries (received_at, source, delivery_id) WHERE state = 'pending';
      CREATE INDEX signal_deliveries_processed ON signal_deliveries (received_at) WHERE state = 'processed';

      CREATE TABLE signals (
        source text COLLATE "C" NOT NULL,
        signal_id text COLLATE "C" NOT NULL,
        delivery_id text COLLATE "C" NOT NULL,
        repo text COLLATE "C" NOT NULL,
        dataset text COLLATE "C" NOT NULL,
        column_name text COLLATE "C" NOT NULL,
        metric text COLLATE "C" NOT NULL,
        value double precision,
        signal_type text NOT NULL,
        status text NOT NULL,
        severity text NOT NULL,
        observed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        fingerprint text COLLATE "C",
        state text NOT NULL CHECK (state IN ('pending', 'processed')),
        payload json NOT NULL,
        PRIMARY KEY (source, signal_id)
      );
      CREATE INDEX signals_delivery ON signals (source, delivery_id);
      CREATE INDEX signals_metric_history ON signals (repo, dataset, column_name, metric, observed_at);
      CREATE INDEX signals_fingerprint_history ON signals (repo, fingerprint, observed_at);
      CREATE INDEX signals_repo_received ON signals (repo, received_at);

      CREATE TABLE findings (
        repo text COLLATE "C" NOT NULL,
        fingerprint text COLLATE "C" NOT NULL,
        state text NOT NULL CHECK (state IN ('open', 'resolved')),
        issue_number integer,
        severity text NOT NULL,
        opened_at timestamptz,
        resolved_at timestamptz,
        last_comment_at timestamptz,
        last_comment_signal_id text,
        snoozed_until timestamptz,
        body_hash text,
        finding json NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (repo, fingerprint)
      );
      CREATE INDEX findings_repo_state ON findings (repo, state, updated_at);
      CREATE INDEX findings_repo_updated ON findings (repo, updated_at);

      CREATE TABLE finding_evaluations (
        repo text COLLATE "C" NOT NULL,
        fingerprint text COLLATE "C" NOT NULL,
        point_key text COLLATE "C" NOT NULL,
        observed_at timestamptz NOT NULL,
        evaluation json NOT NULL,
        PRIMARY KEY (repo, fingerprint, point_key)
      );
      CREATE INDEX finding_evaluations_time ON finding_evaluations (repo, fingerprint, observed_at);

      CREATE TABLE annotations (
        id text COLLATE "C" PRIMARY KEY,
        repo text COLLATE "C" NOT NULL,
        dataset text NOT NULL,
        kind text NOT NULL,
        from_at timestamptz,
        to_at timestamptz,
        note text NOT NULL,
        author text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX annotations_repo_window ON annotations (repo, from_at, to_at);

      CREATE TABLE expectations (
        id text COLLATE "C" PRIMARY KEY,
        repo text COLLATE "C" NOT NULL,
        pr integer NOT NULL,
        merge_sha text NOT NULL,
        merged_at timestamptz NOT NULL,
        author text,
        fingerprint text COLLATE "C" NOT NULL,
        spec json NOT NULL,
        state text NOT NULL CHECK (state IN ('watching', 'met', 'violated', 'inconclusive')),
        verdict json,
        revert_pr integer,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX expectations_watch ON expectations (repo, fingerprint, state);
      CREATE INDEX expectations_repo_state ON expectations (repo, state, merged_at);

      CREATE TABLE canaries (
        id text COLLATE "C" PRIMARY KEY,
        repo text COLLATE "C" NOT NULL,
        pr integer NOT NULL,
        merge_sha text NOT NULL,
        merged_at timestamptz NOT NULL,
        author text,
        window_ends timestamptz NOT NULL,
        watched json NOT NULL,
        series json NOT NULL DEFAULT '[]',
        state text NOT NULL CHECK (state IN ('watching', 'clean', 'regressed', 'no-signal')),
        ended boolean NOT NULL DEFAULT false,
        summary text,
        evidence json NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX canaries_repo_window ON canaries (repo, window_ends);
    `,
  },
];
