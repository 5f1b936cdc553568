import {
  type ExpectationState,
  ExpectationVerdictSchema,
} from "../../core/expectations/expectation-schema.js";
import { BoundExpectationSchema } from "../../core/expectations/validate-expectations.js";
import type { ExpectationRecord } from "../store.js";
import type { ColumnReader } from "./column-reader.js";

/** An `expectations` row on either backend; `unknown` columns are read through the backend's ColumnReader. */
export type ExpectationRow = {
  id: string;
  repo: string;
  pr: number;
  merge_sha: string;
  merged_at: unknown;
  author: string | null;
  fingerprint: string;
  spec: unknown;
  state: ExpectationState;
  verdict: unknown;
  revert_pr: number | null;
  created_at: unknown;
  updated_at: unknown;
};

export const EXPECTATION_COLUMNS =
  "id, repo, pr, merge_sha, merged_at, author, fingerprint, spec, state, verdict, revert_pr, created_at, updated_at";

/** Row → record for one backend's reader; spec and verdict are parsed, not cast. */
export function expectationFromRow(read: ColumnReader): (row: ExpectationRow) => ExpectationRecord {
  return (row) => ({
    id: row.id,
    repo: row.repo,
    pr: row.pr,
    mergeSha: row.merge_sha,
    mergedAt: read.date(row.merged_at),
    author: row.author,
    fingerprint: row.fingerprint,
    spec: BoundExpectationSchema.parse(read.json(row.spec)),
    state: row.state,
    verdict: row.verdict === null ? null : ExpectationVerdictSchema.parse(read.json(row.verdict)),
    revertPr: row.revert_pr,
    createdAt: read.date(row.created_at),
    // SQLite rows from before updated_at existed hold null there: they were last changed when created.
    updatedAt: read.dateOrNull(row.updated_at) ?? read.date(row.created_at),
  });
}
