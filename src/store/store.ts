/**
 * The persistence boundary. Asynchronous and free of SQLite specifics so a Postgres implementation
 * can share one database between several app instances. Every method that depends on time takes
 * `now` from the caller (the clock is an input, never read inside the store).
 */
import type { CanarySeriesRef, CanaryState, CanaryWatch } from "../core/canary/canary-record.js";
import type { ExpectationState, ExpectationVerdict } from "../core/expectations/expectation-schema.js";
import type { BoundExpectation } from "../core/expectations/validate-expectations.js";
import type { Signal, SkippedItem } from "../core/signals/signal-schema.js";
import type { Annotation } from "../core/triage/annotations.js";
import type { Evaluation } from "../core/triage/evaluation-schema.js";
import type { FindingRecordState } from "../core/triage/finding-record.js";
import type { Finding } from "../core/triage/triage-signal.js";

export type JobState = "queued" | "running" | "done" | "dead";

export type JobRecord = {
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly idempotencyKey: string | null;
  readonly state: JobState;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAt: Date;
  readonly leaseOwner: string | null;
  readonly leaseUntil: Date | null;
  /** Increases with every claim; a worker's writes carry the token of its own claim (fencing). */
  readonly leaseToken: number;
  /** The fairness group (an installation's account, or `kind:<kind>`). */
  readonly fairnessKey: string;
  readonly lastError: string | null;
  readonly createdAt: Date;
};

export type EnqueueInput = {
  readonly kind: string;
  readonly payload: unknown;
  /**
   * Enqueueing a key whose job is still queued or running returns that job instead of creating
   * another; once it is done or dead, the same key creates a new job.
   */
  readonly idempotencyKey?: string;
  /** The fairness group (an installation's account); derived from `payload.repo` when absent. */
  readonly fairnessKey?: string;
  readonly runAt?: Date;
  readonly maxAttempts?: number;
  readonly now: Date;
};

/** What a worker asks the queue for; it skips kinds and fairness groups it has no room for. */
export type ClaimInput = {
  readonly workerId: string;
  readonly now: Date;
  readonly leaseMs: number;
  /** Only these kinds (none: any kind). */
  readonly kinds?: readonly string[];
  /** Not these kinds (at their concurrency limit, or GitHub-bound while the breaker is open). */
  readonly excludeKinds?: readonly string[];
  /** Not these fairness groups (installations at their share of the worker). */
  readonly excludeFairnessKeys?: readonly string[];
};

/**
 * The fence of a claim: the worker that claimed a job and the claim's `leaseToken`. Once another
 * claim takes the job over, the token differs and the old holder's writes are refused.
 */
export type JobFence = { readonly id: string; readonly workerId: string; readonly leaseToken?: number };

export interface JobStore {
  enqueue(input: EnqueueInput): Promise<{ job: JobRecord; created: boolean }>;
  /**
   * Atomically takes the oldest due job (queued, or running with an expired lease), leases it and
   * gives the claim a new `leaseToken`.
   */
  claim(input: ClaimInput): Promise<JobRecord | null>;
  /** Marks a job done; a no-op (returns false) if the caller no longer holds the lease. */
  complete(input: JobFence & { now: Date }): Promise<boolean>;
  /** Records a failure: requeues at `retryAt`, or dead-letters when `retryAt` is null. */
  fail(input: JobFence & { error: string; retryAt: Date | null; now: Date }): Promise<boolean>;
  /**
   * Gives a held job back to the queue without spending its attempt (shutdown, GitHub outage, rate
   * limit): queued again at `runAt` (default `now`); false if the caller no longer holds it.
   */
  release(input: JobFence & { now: Date; runAt?: Date; reason?: string }): Promise<boolean>;
  extendLease(input: JobFence & { leaseUntil: Date }): Promise<boolean>;
  get(id: string): Promise<JobRecord | null>;
  list(filter?: { state?: JobState; kind?: string }): Promise<JobRecord[]>;
  /** Jobs per state, for metrics and operators. */
  countByState(): Promise<Record<JobState, number>>;
  /** The run time of the oldest job due at `now` and still queued (the queue's age), or null. */
  oldestDue(input: { now: Date }): Promise<Date | null>;
  /**
   * Requeues a dead-lettered job with a fresh attempt budget (an operator's retry); false if it is
   * not dead. Throws StoreError when its key was enqueued again and that job is still pending.
   */
  retryDead(input: { id: string; now: Date }): Promise<boolean>;
}

export interface LeaseStore {
  /** Takes the named lease if free or expired; true when the caller now holds it. */
  acquire(input: { name: string; owner: string; now: Date; ttlMs: number }): Promise<boolean>;
  /**
   * Extends a lease its owner still holds to `now + ttlMs`; false when it expired or another owner
   * took it (the caller must stop: its work is no longer serialized).
   */
  renew(input: { name: string; owner: string; now: Date; ttlMs: number }): Promise<boolean>;
  release(input: { name: string; owner: string }): Promise<void>;
}

export type AuditEntry = {
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly repo: string | null;
  readonly target: string | null;
  readonly detail: unknown;
};

export interface AuditStore {
  record(entry: AuditEntry): Promise<void>;
  list(filter?: { repo?: string; action?: string; limit?: number }): Promise<AuditEntry[]>;
}

/** Parse results cached by Git blob SHA (or a content hash) and the analysis version that produced them. */
export interface ParseCacheStore {
  getMany(keys: readonly string[]): Promise<Map<string, unknown>>;
  putMany(entries: ReadonlyArray<{ key: string; value: unknown }>): Promise<void>;
}

/** Small named facts per repository: last config validation, check run ids per head SHA, dashboard issue number. */
export interface RepoStateStore {
  get<T = unknown>(input: { repo: string; key: string }): Promise<T | null>;
  put(input: { repo: string; key: string; value: unknown; now: Date }): Promise<void>;
  /** Sets the value only if absent; returns true when this call set it (first writer wins). */
  putIfAbsent(input: { repo: string; key: string; value: unknown; now: Date }): Promise<boolean>;
  delete(input: { repo: string; key: string }): Promise<void>;
}

/** Whether the triage job has handled a delivery (and its signals) yet. */
export type SignalState = "pending" | "processed";

export type RecordDeliveryInput = {
  /** `webhook-id`, or a hash of the body for senders that cannot sign; unique per source. */
  readonly deliveryId: string;
  readonly source: string;
  /** owner/name, lower-case. */
  readonly repo: string;
  readonly format: string;
  readonly rawBody: Buffer | string;
  readonly signals: readonly Signal[];
  /** Items of the payload that could not become signals, with reasons; kept with the delivery. */
  readonly skipped?: readonly SkippedItem[];
  readonly receivedAt: Date;
  /** The job that will triage this delivery; enqueued in the same transaction. */
  readonly job: EnqueueInput;
  /**
   * For senders without a message id: a delivery of this source whose id starts with `idPrefix`
   * (the body's hash) received at or after `since` makes this one a duplicate.
   */
  readonly dedupe?: { readonly idPrefix: string; readonly since: Date };
};

/** What recording a delivery did with each of its signals. */
export type RecordDeliveryResult = {
  readonly duplicate: boolean;
  readonly delivery: SignalDelivery;
  /** Signals stored for triage by this delivery: new ones and `remapped` ones. */
  readonly signalIds: string[];
  /** Known ids sent again unchanged: nothing new to triage. */
  readonly alreadyReceived: string[];
  /** Known ids sent again with a better mapping (dataset, column, check): updated and triaged again. */
  readonly remapped: string[];
};

export type SignalDelivery = {
  readonly source: string;
  readonly deliveryId: string;
  readonly repo: string;
  readonly format: string;
  readonly signalCount: number;
  readonly jobId: string;
  readonly state: SignalState;
  readonly receivedAt: Date;
  readonly processedAt: Date | null;
  /** Items of the payload skipped at intake, with reasons. */
  readonly skipped: readonly SkippedItem[];
};

export type StoredSignal = {
  readonly signalId: string;
  readonly deliveryId: string;
  readonly source: string;
  readonly repo: string;
  /** Set by the triage job through markProcessed. */
  readonly fingerprint: string | null;
  readonly state: SignalState;
  readonly signal: Signal;
};

/** One measurement of a metric over time, for thresholds and charts. */
export type MeasurementPoint = {
  readonly signalId: string;
  readonly source: string;
  readonly deliveryId: string;
  readonly observedAt: Date;
  readonly value: number | null;
  readonly status: "firing" | "resolved";
  readonly severity: string;
};

export type SignalSourceCount = {
  readonly source: string;
  readonly signals: number;
  readonly deliveries: number;
};

export type HistoryQuery = { readonly repo: string; readonly limit?: number; readonly before?: Date } & (
  | { readonly fingerprint: string }
  | { readonly dataset: string; readonly column?: string; readonly metric: string }
);

export interface SignalStore {
  /**
   * Stores the delivery, its raw body, its signals (state `pending`) and its job in one transaction.
   * A known (source, deliveryId), or a `dedupe` match, stores nothing and returns the first delivery
   * with `duplicate: true`. A signal id the source already sent is `alreadyReceived` when unchanged,
   * `remapped` (updated, triaged again) when only its mapping changed, and a SignalError 409 naming
   * the differences (nothing stored) when what it observed changed.
   */
  recordDelivery(input: RecordDeliveryInput): Promise<RecordDeliveryResult>;
  getDelivery(input: {
    source: string;
    deliveryId: string;
  }): Promise<{ delivery: SignalDelivery; signals: StoredSignal[] } | null>;
  /** Deliveries not yet processed, oldest first, for start-up recovery. */
  pendingDeliveries(input?: { limit?: number }): Promise<SignalDelivery[]>;
  /** Marks a delivery and its signals processed, recording each signal's finding fingerprint; false if it was not pending. */
  markProcessed(input: {
    source: string;
    deliveryId: string;
    now: Date;
    fingerprints?: ReadonlyArray<{ signalId: string; fingerprint: string }>;
  }): Promise<boolean>;
  /** The newest `limit` (default 100) points before `before`, oldest first. */
  history(input: HistoryQuery): Promise<MeasurementPoint[]>;
  /** Signals and deliveries received per source since `since`, for the dashboard. */
  countBySource(input: { repo: string; since: Date }): Promise<SignalSourceCount[]>;
}

/** Whether a finding's problem is current (`open`) or has recovered or been closed (`resolved`). */
export type FindingState = "open" | "resolved";

/** What Backflow remembers of one finding (repository + fingerprint) between signals; triage's own shape. */
export type FindingRecord = FindingRecordState;

/** What a finding looked like when it was read: a compare-and-set write applies only if it still does. */
export type FindingVersion = {
  /** The `updatedAt` read; null: the finding must not exist yet. */
  readonly ifUpdatedAt: Date | null;
};

export interface FindingStore {
  get(input: { repo: string; fingerprint: string }): Promise<FindingRecord | null>;
  /**
   * Writes the record of (repo, fingerprint). Without `version`, inserts or replaces it; with one, a
   * compare-and-set: false (and nothing written) when the stored record changed since it was read.
   * `snoozedUntil` of an existing record is never replaced here: only `snooze` changes it.
   */
  put(record: FindingRecord, version?: FindingVersion): Promise<boolean>;
  /** Sets only `snoozedUntil` (a concurrent triage keeps its own fields); false when there is no such finding. */
  snooze(input: { repo: string; fingerprint: string; until: Date | null; now: Date }): Promise<boolean>;
  /**
   * Moves the finding from state `from` to `to` (resolvedAt set when resolving, cleared when
   * reopening), changing no other field; false when it is not in state `from` any more.
   */
  transition(input: {
    repo: string;
    fingerprint: string;
    from: FindingState;
    to: FindingState;
    now: Date;
  }): Promise<boolean>;
  /** Findings of a repository in one state, most recently updated first. */
  list(input: { repo: string; state?: FindingState; limit?: number }): Promise<FindingRecord[]>;
  /** Stores a history point; false when the same observation (signal time, metric, value) is stored already. */
  addEvaluation(input: { repo: string; fingerprint: string; evaluation: Evaluation }): Promise<boolean>;
  /** The newest `limit` (default 200) points of a fingerprint, oldest first by signal time. */
  evaluations(input: { repo: string; fingerprint: string; limit?: number }): Promise<Evaluation[]>;
}

export interface AnnotationStore {
  /** Stores an annotation; false when its id exists already. */
  add(annotation: Annotation): Promise<boolean>;
  /** Annotations of a repository whose window contains `at` (open bounds included). */
  listActive(input: { repo: string; at: Date }): Promise<Annotation[]>;
}

/** One expectation of a merged pull request, watched until its verdict. */
export type ExpectationRecord = {
  /** `<repo>#<pr>:<line>`: a redelivered merge event stores each expectation once. */
  readonly id: string;
  readonly repo: string;
  readonly pr: number;
  readonly mergeSha: string;
  readonly mergedAt: Date;
  /** The pull request's author (GitHub login), asked to review a revert; null when not known. */
  readonly author: string | null;
  /** The finding fingerprint whose evaluations are the expectation's evidence. */
  readonly fingerprint: string;
  readonly spec: BoundExpectation;
  readonly state: ExpectationState;
  readonly verdict: ExpectationVerdict | null;
  /** The revert pull request opened when it was violated. */
  readonly revertPr: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
};

export interface ExpectationStore {
  /** Stores new expectations (ids already stored are kept as they are); returns how many were added. */
  add(records: readonly ExpectationRecord[]): Promise<number>;
  get(id: string): Promise<ExpectationRecord | null>;
  /**
   * A repository's expectations, oldest merge first, optionally by state, fingerprint or pull request.
   * `updatedSince` keeps those still watching and those settled (last updated) at or after it.
   */
  list(input: {
    repo: string;
    state?: ExpectationState;
    fingerprint?: string;
    pr?: number;
    updatedSince?: Date;
  }): Promise<ExpectationRecord[]>;
  /** Records a verdict if the expectation is still in state `from`; false when another run moved it first. */
  settle(input: {
    id: string;
    from: ExpectationState;
    state: ExpectationState;
    verdict: ExpectationVerdict;
    now: Date;
  }): Promise<boolean>;
  setRevertPr(input: { id: string; revertPr: number; now: Date }): Promise<void>;
}

/** The post-merge canary of one merged pipeline pull request: what it watches and how it ended. */
export type CanaryRecord = {
  /** `<repo>#<pr>`: a redelivered merge event stores one canary. */
  readonly id: string;
  readonly repo: string;
  readonly pr: number;
  readonly mergeSha: string;
  readonly mergedAt: Date;
  readonly author: string | null;
  /** mergedAt + `canary.window`: signals observed after it are not compared. */
  readonly windowEnds: Date;
  /** Columns and tables the merge's impact report named, changed and downstream. */
  readonly watched: readonly CanaryWatch[];
  /** The findings (fingerprint and metric) whose history holds signals about a watched column. */
  readonly series: readonly CanarySeriesRef[];
  /** `watching` until the window ends or a regression is attributed to the merge. */
  readonly state: CanaryState;
  /** The window-end run has happened (its comment, if any, was posted). */
  readonly ended: boolean;
  readonly summary: string | null;
  /** One line per regression attributed to the merge, as commented on the pull request. */
  readonly evidence: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
};

export interface CanaryStore {
  /** Stores a new canary; false (nothing changed) when its id is stored already. */
  add(record: CanaryRecord): Promise<boolean>;
  get(id: string): Promise<CanaryRecord | null>;
  /**
   * A repository's canaries, oldest merge first. `activeAt` keeps those whose window contains it
   * (merged at or before, window ending after); `updatedSince` those changed at or after it.
   */
  list(input: {
    repo: string;
    state?: CanaryState;
    activeAt?: Date;
    updatedSince?: Date;
    ended?: boolean;
  }): Promise<CanaryRecord[]>;
  /** Adds series refs not yet known (by fingerprint and metric); returns the canary after the change. */
  addSeries(input: {
    id: string;
    series: readonly CanarySeriesRef[];
    now: Date;
  }): Promise<CanaryRecord | null>;
  /**
   * Records regression evidence (lines not yet stored are appended) and moves the state to
   * `regressed`; returns the lines this call added (empty: nothing new).
   */
  recordRegression(input: {
    id: string;
    evidence: readonly string[];
    summary: string;
    now: Date;
  }): Promise<string[]>;
  /** Ends the window once: sets the outcome and `ended`; false when another run ended it first. */
  end(input: { id: string; state: CanaryState; summary: string; now: Date }): Promise<boolean>;
}

/** How many rows one prune removed, per kind. */
export type PruneCounts = {
  readonly signals: number;
  readonly deliveries: number;
  readonly jobs: number;
  readonly leases: number;
  readonly evaluations: number;
  /** Parse cache entries not used since `before`. */
  readonly parseCache: number;
  /** repo_state rows of finished work (a comment's commands, a head SHA's check run…) untouched since `before`. */
  readonly repoState: number;
  /** Audit log entries older than `auditBefore`. */
  readonly audit: number;
  /** Post-merge canaries whose outcome is stored and whose window ended before `before`. */
  readonly canaries: number;
};

/** Keeps the database from growing without bound: what is older than the retention window and no longer needed goes. */
export interface RetentionStore {
  /**
   * Removes processed signals, finished jobs, old history, unused parse cache entries, finished
   * repo_state rows and ended canaries (outcome stored, window ended) from before `before`; expired
   * leases at `now`; audit entries before `auditBefore` (kept all when absent).
   */
  prune(input: { before: Date; now: Date; auditBefore?: Date }): Promise<PruneCounts>;
}

export interface Store {
  /** Which database holds the store (the app starts the queue runner that fits it). */
  readonly backend: "sqlite" | "postgres";
  readonly jobs: JobStore;
  readonly leases: LeaseStore;
  readonly audit: AuditStore;
  readonly parseCache: ParseCacheStore;
  readonly repoState: RepoStateStore;
  readonly signals: SignalStore;
  readonly findings: FindingStore;
  readonly annotations: AnnotationStore;
  readonly expectations: ExpectationStore;
  readonly canaries: CanaryStore;
  readonly retention: RetentionStore;
  /** Resolves when the database answers a trivial query; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
