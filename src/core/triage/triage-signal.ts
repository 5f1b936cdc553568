import { z } from "zod";
import { type BackflowConfig, type MetricKind, MetricKindSchema } from "../config/schema.js";
import type { LineageGraph } from "../lineage/schema.js";
import { knownMetricOfCheck } from "../signals/check-metric.js";
import { metricKindOf, SeveritySchema, type Signal } from "../signals/signal-schema.js";
import { type Annotation, applicableAnnotations } from "./annotations.js";
import { evaluateThreshold, isExplicitResolution } from "./evaluate-threshold.js";
import { type Evaluation, EvaluationSchema } from "./evaluation-schema.js";
import { findSuspects, SuspectSchema } from "./find-suspects.js";
import { fingerprintOf } from "./fingerprint.js";
import { decideTransition, durationMs } from "./hysteresis.js";
import { applyLearnedTolerance, type LearnedTolerance } from "./learned-tolerance.js";
import { type DatasetMatch, matchDataset } from "./match-dataset.js";
import { resolveThreshold } from "./thresholds.js";

export const DecisionSchema = z.enum(["open", "update", "resolve", "expected", "none", "unmatched"]);

export const FindingSchema = z.strictObject({
  fingerprint: z.string(),
  repo: z.string(),
  dataset: z.string().describe("The dataset name as the signal sent it."),
  tableId: z.string().optional().describe("The lineage table it matched; absent when unmatched."),
  match: z.enum(["config", "dbt-id", "exact", "suffix", "unmatched"]),
  candidates: z.array(z.string()).describe("Tables it might be, when unmatched."),
  column: z.string().optional(),
  metric: z.string(),
  kind: MetricKindSchema,
  unit: z.string().optional().describe("The measurement's unit as the signal sent it."),
  observed: z.number().optional(),
  threshold: z.strictObject({
    from: z
      .enum(["config", "signal", "default", "none", "learned"])
      .describe("learned: relaxed by a drift issue a person closed as not planned."),
    learnedOver: z
      .enum(["config", "signal", "default", "none"])
      .optional()
      .describe("The origin a learned limit relaxed."),
    min: z.number().optional(),
    max: z.number().optional(),
    relative: z.number().optional(),
    zscore: z.number().optional(),
  }),
  breached: z.boolean(),
  reason: z.string(),
  severity: SeveritySchema,
  decision: DecisionSchema,
  comment: z.boolean().describe("Whether the issue gets a comment for this decision."),
  annotations: z.array(
    z.strictObject({ id: z.string(), kind: z.string(), note: z.string(), author: z.string() }),
  ),
  suspects: z.array(SuspectSchema),
  signalIds: z.array(z.string()),
  observedAt: z.string(),
  evaluation: EvaluationSchema.describe("The history point to store for this signal."),
});
export type Finding = z.infer<typeof FindingSchema>;

/** A contract's promises triage needs; the freshness SLA (ODCS `latency`) in hours. */
export type ContractSla = { readonly tableId: string; readonly freshnessSlaHours?: number };

export type FindingKey = {
  readonly fingerprint: string;
  readonly match: DatasetMatch;
  readonly metric: string;
  readonly kind: MetricKind;
  readonly column?: string;
};

function metricOf(signal: Signal): { metric: string; kind: MetricKind } {
  if (signal.measurement) return { metric: signal.measurement.metric, kind: signal.measurement.kind };
  if (signal.type === "freshness_breach") return { metric: "latency", kind: "freshness" };
  const fromCheck = knownMetricOfCheck(signal.check?.type ?? signal.check?.name ?? "");
  if (fromCheck) return { metric: fromCheck, kind: metricKindOf(fromCheck) };
  return { metric: signal.check?.ruleId ?? signal.type, kind: "custom" };
}

/**
 * The identity of the finding a signal belongs to. Related breaches share one finding: the
 * fingerprint uses the metric family (a failing not_null test and a high null rate on the same column
 * are one problem), except custom metrics, which are told apart by name. Call it to load the history.
 */
export function findingKeyOf(input: {
  signal: Signal;
  repo: string;
  config: BackflowConfig;
  graph: LineageGraph;
  /** The repository's dbt project names: a dbt id from another package is then unmatched. */
  dbtProjects?: readonly string[];
}): FindingKey {
  const { signal } = input;
  const match = matchDataset({
    dataset: signal.dataset,
    config: input.config,
    graph: input.graph,
    ...(input.dbtProjects ? { dbtProjects: input.dbtProjects } : {}),
  });
  const { metric, kind } = metricOf(signal);
  const column = signal.column?.toLowerCase();
  const dataset = "tableId" in match ? match.tableId : signal.dataset.name;
  const family = kind === "custom" ? metric : kind;
  return {
    fingerprint: fingerprintOf({ repo: input.repo, dataset, column, metric: family }),
    match,
    metric,
    kind,
    column,
  };
}

export type TriageInput = {
  signal: Signal;
  repo: string;
  config: BackflowConfig;
  graph: LineageGraph;
  /** The repository's dbt project names (dbt_project.yml `name:`); see matchDataset. */
  dbtProjects?: readonly string[];
  history: readonly Evaluation[];
  annotations: readonly Annotation[];
  contracts?: readonly ContractSla[];
  recentlyChanged?: ReadonlySet<string>;
  currentlyOpen?: boolean;
  lastCommentAt?: string;
  /** What closing its drift issues as not planned taught (honoured unless `signals.learnFromClosed` is off). */
  learned?: LearnedTolerance;
  /** `findingKeyOf` of this same input, when the caller already computed it (once per signal). */
  key?: FindingKey;
};

/** The limit a signal is judged by: configured, sent or default, then relaxed by what was learned. */
function thresholdOf(input: TriageInput, key: ReturnType<typeof findingKeyOf>, tableId: string | undefined) {
  const { signal, config } = input;
  const resolved = resolveThreshold({
    config,
    tableId: tableId ?? signal.dataset.name.toLowerCase(),
    column: key.column,
    metric: key.metric,
    kind: key.kind,
    unit: signal.measurement?.unit,
    signalThreshold: signal.measurement?.threshold,
    freshnessSlaHours: input.contracts?.find((c) => c.tableId === tableId)?.freshnessSlaHours,
  });
  return config.signals.learnFromClosed
    ? applyLearnedTolerance(resolved, input.learned, key.metric)
    : resolved;
}

/**
 * Judges one signal: matches its dataset to the lineage graph, applies the threshold, the annotations
 * and the hysteresis over the fingerprint's history, and lists upstream suspects.
 * `history` holds the fingerprint's earlier evaluations (any order; others are ignored by metric).
 */
export function triageSignal(input: TriageInput): Finding {
  const { signal, config } = input;
  const key = input.key ?? findingKeyOf(input);
  const tableId = "tableId" in key.match ? key.match.tableId : undefined;
  const threshold = thresholdOf(input, key, tableId);
  const verdict = evaluateThreshold({ signal, threshold, history: input.history });
  const annotations =
    verdict.breached && tableId
      ? applicableAnnotations(
          input.annotations.filter((a) => a.repo === input.repo),
          tableId,
          signal.observedAt,
        )
      : [];
  const evaluation: Evaluation = {
    observedAt: signal.observedAt,
    metric: key.metric,
    value: signal.measurement?.value,
    ...(signal.measurement?.unit ? { unit: signal.measurement.unit } : {}),
    breached: verdict.breached,
    expected: annotations.length > 0,
    severity: verdict.severity,
    ...(isExplicitResolution(signal) ? { resolvedBySource: true } : {}),
    signalId: signal.id,
  };
  const transition = decideTransition({
    evaluations: [...input.history.filter((e) => e.signalId !== signal.id), evaluation],
    consecutive: threshold.rule.consecutive,
    recoverAfter: threshold.rule.recoverAfter,
    suppressMs: durationMs(config.signals.suppressRepeatsFor),
    currentlyOpen: input.currentlyOpen,
    lastCommentAt: input.lastCommentAt,
    // The horizon for stored points never falls before this signal's own observation.
    arrivedAt:
      signal.receivedAt && Date.parse(signal.receivedAt) > Date.parse(signal.observedAt)
        ? signal.receivedAt
        : signal.observedAt,
  });
  const decision = !tableId ? "unmatched" : annotations.length > 0 ? "expected" : transition.action;
  const { min, max, relative, zscore } = threshold.rule;
  return {
    fingerprint: key.fingerprint,
    repo: input.repo,
    dataset: signal.dataset.name,
    tableId,
    match: "how" in key.match ? key.match.how : "unmatched",
    candidates: "candidates" in key.match ? [...key.match.candidates] : [],
    column: signal.column,
    metric: key.metric,
    kind: key.kind,
    ...(signal.measurement?.unit ? { unit: signal.measurement.unit } : {}),
    observed: verdict.observed,
    threshold: {
      from: threshold.from,
      ...(threshold.learnedOver ? { learnedOver: threshold.learnedOver } : {}),
      min,
      max,
      relative,
      zscore,
    },
    breached: verdict.breached,
    reason: "reason" in key.match ? `${verdict.reason}; ${key.match.reason}` : verdict.reason,
    severity: verdict.severity,
    decision,
    comment: decision === "expected" || decision === "unmatched" ? false : transition.comment,
    annotations: annotations.map((a) => ({ id: a.id, kind: a.kind, note: a.note, author: a.author })),
    suspects:
      tableId && verdict.breached
        ? findSuspects({
            graph: input.graph,
            tableId,
            column: signal.column,
            recentlyChanged: input.recentlyChanged,
          })
        : [],
    signalIds: [signal.id],
    observedAt: signal.observedAt,
    evaluation,
  };
}
