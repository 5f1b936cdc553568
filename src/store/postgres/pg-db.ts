/**
 * The PostgreSQL connection the PG sub-stores share: one `pg.Pool`, plain queries, and transactions
 * that always end (COMMIT, or ROLLBACK on any error) and always give their client back to the pool.
 */
import pg from "pg";

export type PgDb = {
  readonly pool: pg.Pool;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Runs `fn` inside BEGIN … COMMIT on one client; any throw rolls back and rethrows. */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
};

/** Either the pool (autocommit) or a transaction's client: what a statement needs to run. */
export type Queryable = {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
};

export type PgDbOptions = {
  /** Connections in the pool (default 10). */
  readonly max?: number;
  /** How long a query waits for a free connection or the server before failing (default 10 s). */
  readonly connectionTimeoutMs?: number;
  /** Reported as `application_name` in pg_stat_activity. */
  readonly applicationName?: string;
  /** Told about errors on idle clients (a restarted server, a dropped connection); default: ignored. */
  readonly onIdleError?: (error: Error) => void;
};

// Timestamps go through `timestamptz` and come back as Date; BIGINT (int8) counts come back as
// strings by default, which the stores convert where they read them, so no global type parser is set.

/**
 * Creates a pool for `connectionString`. No connection is made until the first query.
 * @example const db = createPgDb("postgres://backflow@db/backflow");
 */
export function createPgDb(connectionString: string, options: PgDbOptions = {}): PgDb {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // TCP keepalive: a connection to a server that vanished (a failover, a dropped route) is found
    // dead in seconds instead of hanging until the OS default of two hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: options.applicationName ?? "backflow",
  });
  // An idle client whose server connection dies emits 'error' on the pool; without a listener
  // Node would treat it as an unhandled error and end the process. The pool drops that client and
  // the next query opens a fresh connection.
  pool.on("error", (error) => options.onIdleError?.(error));
  // A checked-out client has no pool listener: when its connection dies it emits 'error' on itself,
  // and with no listener that ends the process (graphile-worker checks clients out without adding
  // one to clients made before its runner started). The error also fails the client's queries,
  // which is where callers see it, and the pool drops the client when it is released.
  pool.on("connect", (client) => client.on("error", () => undefined));
  return {
    pool,
    query<R extends pg.QueryResultRow = pg.QueryResultRow>(
      text: string | pg.QueryConfig,
      values?: unknown[],
    ): Promise<pg.QueryResult<R>> {
      return typeof text === "string" ? pool.query<R>(text, values) : pool.query<R>(text);
    },
    async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A client that errored while checked out (connection lost mid-transaction) must not go back
      // into the pool: release(error) destroys it.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        try {
          const result = await fn(client);
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch((rollbackError: unknown) => {
            broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
          throw error;
        }
      } catch (error) {
        broken ??= isConnectionError(error) ? (error as Error) : undefined;
        throw error;
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    },
  };
}

/** Errors that mean the connection itself is unusable (not a failed statement). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string")
    return error instanceof Error && /Connection terminated|ECONNRESET/i.test(error.message);
  // 08xxx: connection exceptions; 57P0x: admin shutdown / crash shutdown / cannot connect now.
  return code.startsWith("08") || code.startsWith("57P") || code === "ECONNRESET" || code === "EPIPE";
}
