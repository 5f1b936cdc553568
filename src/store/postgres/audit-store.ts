import type { AuditEntry, AuditStore } from "../store.js";
import { toJson } from "./columns.js";
import type { PgDb } from "./pg-db.js";

type AuditRow = {
  at: Date;
  actor: string;
  action: string;
  repo: string | null;
  target: string | null;
  detail: unknown;
};

const DEFAULT_LIMIT = 100;

/** An append-only record of what Backflow did and who asked for it, newest first when listed. */
export function createPgAuditStore(db: PgDb): AuditStore {
  return {
    async record(entry) {
      await db.query({
        name: "bf_audit_record",
        text: "INSERT INTO audit_log (at, actor, action, repo, target, detail) VALUES ($1, $2, $3, $4, $5, $6::json)",
        values: [entry.at, entry.actor, entry.action, entry.repo, entry.target, toJson(entry.detail)],
      });
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.repo !== undefined) {
        params.push(filter.repo);
        where.push(`repo = $${params.length}`);
      }
      if (filter.action !== undefined) {
        params.push(filter.action);
        where.push(`action = $${params.length}`);
      }
      const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
      params.push(filter.limit ?? DEFAULT_LIMIT);
      const { rows } = await db.query<AuditRow>(
        `SELECT at, actor, action, repo, target, detail FROM audit_log${clause} ORDER BY at DESC, id LIMIT $${params.length}`,
        params,
      );
      return rows.map(
        (row): AuditEntry => ({
          at: row.at,
          actor: row.actor,
          action: row.action,
          repo: row.repo,
          target: row.target,
          detail: row.detail,
        }),
      );
    },
  };
}
