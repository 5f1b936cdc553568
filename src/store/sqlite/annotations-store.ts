import type Database from "better-sqlite3";
import { type Annotation, AnnotationSchema } from "../../core/triage/annotations.js";
import type { AnnotationStore } from "../store.js";
import { toMs } from "./columns.js";

type AnnotationRow = {
  id: string;
  repo: string;
  dataset: string;
  kind: string;
  from_at: number | null;
  to_at: number | null;
  note: string;
  author: string;
  created_at: number;
};

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

function toAnnotation(row: AnnotationRow): Annotation {
  const from = iso(row.from_at);
  const to = iso(row.to_at);
  return AnnotationSchema.parse({
    id: row.id,
    repo: row.repo,
    dataset: row.dataset,
    kind: row.kind,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    note: row.note,
    author: row.author,
    createdAt: new Date(row.created_at).toISOString(),
  });
}

/** Analyst annotations (dataset glob + time window) on SQLite; the window is filtered in SQL. */
export function createSqliteAnnotationStore(db: Database.Database): AnnotationStore {
  const insert = db.prepare(
    `INSERT INTO annotations (id, repo, dataset, kind, from_at, to_at, note, author, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  );
  const active = db.prepare<[string, number, number], AnnotationRow>(
    `SELECT id, repo, dataset, kind, from_at, to_at, note, author, created_at FROM annotations
     WHERE repo = ? AND (from_at IS NULL OR from_at <= ?) AND (to_at IS NULL OR to_at >= ?)
     ORDER BY created_at, id`,
  );
  return {
    async add(annotation) {
      const a = AnnotationSchema.parse(annotation);
      const inserted = insert.run(
        a.id,
        a.repo,
        a.dataset,
        a.kind,
        a.from === undefined ? null : Date.parse(a.from),
        a.to === undefined ? null : Date.parse(a.to),
        a.note,
        a.author,
        Date.parse(a.createdAt),
      );
      return inserted.changes === 1;
    },
    async listActive({ repo, at }) {
      const t = toMs(at);
      return active.all(repo, t, t).map(toAnnotation);
    },
  };
}
