/** One audit log entry, as the review reads it (the store's AuditEntry has this shape). */
export type ReviewAuditEntry = {
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly detail: unknown;
};

/** A finding's stored state, as the review reads it. */
export type EpisodeFinding = {
  readonly fingerprint: string;
  readonly state: "open" | "resolved";
  readonly openedAt: Date | null;
  readonly resolvedAt: Date | null;
};

/** One stretch of a finding being open: from its issue opening (or reopening) to its resolution. */
export type FindingEpisode = {
  readonly fingerprint: string;
  readonly start: Date;
  readonly reopened: boolean;
  readonly end: Date | null;
  /** How it ended: recovered, or closed by a person as not planned. */
  readonly endedBy: "recovered" | "not-planned" | null;
  readonly issue: number | null;
};

const OPENS = new Set(["drift.created", "drift.reopened", "drift.unlearned"]);
const RECOVERS = new Set(["drift.closed", "drift.resolved", "drift.declined"]);
const NOT_PLANNED = new Set(["drift.learned", "drift.nothing-learned"]);

export function issueOf(detail: unknown): number | null {
  if (typeof detail !== "object" || detail === null) return null;
  const issue = (detail as { issue?: unknown }).issue;
  return typeof issue === "number" && Number.isInteger(issue) ? issue : null;
}

/**
 * The open/resolved episodes of each finding, from the audit log triage and issue handlers write
 * (`drift.created|reopened|unlearned` open; `drift.closed|resolved|declined` recover;
 * `drift.learned|nothing-learned` close as not planned). A finding with no audit entries falls back
 * to its record's `openedAt`/`resolvedAt` (its latest episode only).
 */
export function findingEpisodes(
  findings: readonly EpisodeFinding[],
  audit: readonly ReviewAuditEntry[],
): FindingEpisode[] {
  const byFingerprint = new Map<string, ReviewAuditEntry[]>();
  for (const entry of audit) {
    if (!entry.target || !entry.action.startsWith("drift.")) continue;
    const list = byFingerprint.get(entry.target) ?? [];
    list.push(entry);
    byFingerprint.set(entry.target, list);
  }
  const episodes: FindingEpisode[] = [];
  const seen = new Set<string>();
  for (const [fingerprint, entries] of byFingerprint) {
    let current: { start: Date; reopened: boolean; issue: number | null } | null = null;
    let openedBefore = false;
    for (const entry of [...entries].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      if (OPENS.has(entry.action) && !current) {
        current = {
          start: entry.at,
          reopened: openedBefore || entry.action !== "drift.created",
          issue: issueOf(entry.detail),
        };
        openedBefore = true;
      } else if ((RECOVERS.has(entry.action) || NOT_PLANNED.has(entry.action)) && current) {
        episodes.push({
          fingerprint,
          ...current,
          issue: current.issue ?? issueOf(entry.detail),
          end: entry.at,
          endedBy: NOT_PLANNED.has(entry.action) ? "not-planned" : "recovered",
        });
        current = null;
      }
    }
    if (current) episodes.push({ fingerprint, ...current, end: null, endedBy: null });
    if (openedBefore) seen.add(fingerprint);
  }
  for (const f of findings) {
    if (seen.has(f.fingerprint) || !f.openedAt) continue;
    const resolved = f.state === "resolved" ? f.resolvedAt : null;
    episodes.push({
      fingerprint: f.fingerprint,
      start: f.openedAt,
      reopened: false,
      end: resolved,
      endedBy: resolved ? "recovered" : null,
      issue: null,
    });
  }
  return episodes.sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.fingerprint.localeCompare(b.fingerprint),
  );
}

/** A merged change that may have caused a finding (an expectation's pull request names its fingerprint). */
export type CausingMerge = {
  readonly fingerprint: string;
  readonly mergedAt: Date;
  /** The cause explains only episodes that start before this (a canary's window end). */
  readonly until?: Date;
};

/**
 * Time to detect an episode: from the latest recorded merge on its fingerprint at or before the
 * episode's start to the first breach after that merge (breaches an annotation explained do not
 * count). Null when no causing merge, or no breach after it, is recorded.
 */
export function detectMs(
  episode: Pick<FindingEpisode, "fingerprint" | "start">,
  merges: readonly CausingMerge[],
  history: readonly { observedAt: string; breached: boolean; expected?: boolean }[],
): number | null {
  const cause = merges
    .filter(
      (x) =>
        x.fingerprint === episode.fingerprint &&
        x.mergedAt <= episode.start &&
        (x.until === undefined || episode.start < x.until),
    )
    .sort((a, b) => b.mergedAt.getTime() - a.mergedAt.getTime())[0];
  if (!cause) return null;
  const first = history
    .filter((p) => p.breached && !p.expected && Date.parse(p.observedAt) >= cause.mergedAt.getTime())
    .map((p) => Date.parse(p.observedAt))
    .sort((a, b) => a - b)[0];
  return first === undefined ? null : first - cause.mergedAt.getTime();
}
