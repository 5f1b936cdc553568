import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTestDatabase, postgresServerUrl, withDatabase } from "./postgres.js";

describe("test PostgreSQL helper", () => {
  it("creates an empty database of its own that queries run on, and drops it", async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>("SELECT current_database() AS name");
      expect(rows[0]?.name).toBe(db.name);
      const tables = await client.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
      expect(tables.rowCount).toBe(0);
    } finally {
      await client.end();
    }
    await db.drop();
    const admin = new pg.Client({ connectionString: await postgresServerUrl() });
    await admin.connect();
    try {
      const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [db.name]);
      expect(rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it("replaces only the database name of a URL", () => {
    expect(withDatabase("postgres://u:p@h:5433/postgres?sslmode=disable", "bf_x")).toBe(
      "postgres://u:p@h:5433/bf_x?sslmode=disable",
    );
  });
});
