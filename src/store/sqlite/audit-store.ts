import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { AuditEntry, AuditStore } from "../store.js";
import { fromJson, toJson, toMs } from "./columns.js";

type AuditRow = {
  at: number;
  actor: string;
  action: string;
  repo: string | null;
  target: string | null;
  detail: string;
};

const DEFAULT_LIMIT = 100;

/** An append-only record of what Backflow did and who asked for it, newest first when listed. */
export function createSqliteAuditStore(db: Database.Database): AuditStore {
  const insert = db.prepare(
    "INSERT INTO audit_log (id, at, actor, action, repo, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  return {
    async record(entry) {
      insert.run(
        randomUUID(),
        toMs(entry.at),
        entry.actor,
        entry.action,
        entry.repo,
        entry.target,
        toJson(entry.detail),
      );
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (filter.repo !== undefined) {
        where.push("repo = ?");
        params.push(filter.repo);
      }
      if (filter.action !== undefined) {
        where.push("action = ?");
        params.push(filter.action);
      }
      const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
      params.push(filter.limit ?? DEFAULT_LIMIT);
      const rows = db
        .prepare<Array<string | number>, AuditRow>(
          `SELECT at, actor, action, repo, target, detail FROM audit_log${clause} ORDER BY at DESC, id LIMIT ?`,
        )
        .all(...params);
      return rows.map(
        (row): AuditEntry => ({
          at: new Date(row.at),
          actor: row.actor,
          action: row.action,
          repo: row.repo,
          target: row.target,
          detail: fromJson(row.detail),
        }),
      );
    },
  };
}
