import { z } from "zod";
import {
  type CanarySeriesRef,
  CanarySeriesRefSchema,
  type CanaryState,
  CanaryWatchSchema,
} from "../../core/canary/canary-record.js";
import type { CanaryRecord } from "../store.js";
import type { ColumnReader } from "./column-reader.js";

/** A `canaries` row on either backend; `unknown` columns are read through the backend's ColumnReader. */
export type CanaryRow = {
  id: string;
  repo: string;
  pr: number;
  merge_sha: string;
  merged_at: unknown;
  author: string | null;
  window_ends: unknown;
  watched: unknown;
  series: unknown;
  state: CanaryState;
  ended: unknown;
  summary: string | null;
  evidence: unknown;
  created_at: unknown;
  updated_at: unknown;
};

export const CANARY_COLUMNS =
  "id, repo, pr, merge_sha, merged_at, author, window_ends, watched, series, state, ended, summary, evidence, created_at, updated_at";

const WatchListSchema = z.array(CanaryWatchSchema);
const SeriesListSchema = z.array(CanarySeriesRefSchema);
const EvidenceSchema = z.array(z.string());

/** Row → record for one backend's reader; JSON columns are parsed, not cast. */
export function canaryFromRow(read: ColumnReader): (row: CanaryRow) => CanaryRecord {
  return (row) => ({
    id: row.id,
    repo: row.repo,
    pr: row.pr,
    mergeSha: row.merge_sha,
    mergedAt: read.date(row.merged_at),
    author: row.author,
    windowEnds: read.date(row.window_ends),
    watched: WatchListSchema.parse(read.json(row.watched)),
    series: SeriesListSchema.parse(read.json(row.series)),
    state: row.state,
    ended: read.bool(row.ended),
    summary: row.summary,
    evidence: EvidenceSchema.parse(read.json(row.evidence)),
    createdAt: read.date(row.created_at),
    updatedAt: read.date(row.updated_at),
  });
}

/** Refs of `add` not in `known`, by fingerprint and metric (a ref listed twice is added once). */
export function newSeriesRefs(
  known: readonly CanarySeriesRef[],
  add: readonly CanarySeriesRef[],
): CanarySeriesRef[] {
  const keys = new Set(known.map((s) => JSON.stringify([s.fingerprint, s.metric])));
  return add.filter((s) => {
    const key = JSON.stringify([s.fingerprint, s.metric]);
    return keys.has(key) ? false : Boolean(keys.add(key));
  });
}
