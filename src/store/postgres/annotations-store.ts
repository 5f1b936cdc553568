import { type Annotation, AnnotationSchema } from "../../core/triage/annotations.js";
import type { AnnotationStore } from "../store.js";
import type { PgDb } from "./pg-db.js";

type AnnotationRow = {
  id: string;
  repo: string;
  dataset: string;
  kind: string;
  from_at: Date | null;
  to_at: Date | null;
  note: string;
  author: string;
  created_at: Date;
};

function toAnnotation(row: AnnotationRow): Annotation {
  return AnnotationSchema.parse({
    id: row.id,
    repo: row.repo,
    dataset: row.dataset,
    kind: row.kind,
    ...(row.from_at ? { from: row.from_at.toISOString() } : {}),
    ...(row.to_at ? { to: row.to_at.toISOString() } : {}),
    note: row.note,
    author: row.author,
    createdAt: row.created_at.toISOString(),
  });
}

/** Analyst annotations (dataset glob + time window); the window is filtered in SQL. */
export function createPgAnnotationStore(db: PgDb): AnnotationStore {
  return {
    async add(annotation) {
      const a = AnnotationSchema.parse(annotation);
      const result = await db.query(
        `INSERT INTO annotations (id, repo, dataset, kind, from_at, to_at, note, author, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
        [
          a.id,
          a.repo,
          a.dataset,
          a.kind,
          a.from === undefined ? null : new Date(a.from),
          a.to === undefined ? null : new Date(a.to),
          a.note,
          a.author,
          new Date(a.createdAt),
        ],
      );
      return result.rowCount === 1;
    },
    async listActive({ repo, at }) {
      const { rows } = await db.query<AnnotationRow>({
        name: "bf_annotations_active",
        text: `SELECT id, repo, dataset, kind, from_at, to_at, note, author, created_at FROM annotations
               WHERE repo = $1 AND (from_at IS NULL OR from_at <= $2) AND (to_at IS NULL OR to_at >= $2)
               ORDER BY created_at, id`,
        values: [repo, at],
      });
      return rows.map(toAnnotation);
    },
  };
}
