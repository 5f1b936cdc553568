/**
 * A quarter (Q1 2026) of one repository's feedback loop, written through the store API the way the
 * app writes it: a history point every 6 hours of signal time per finding, drift issues opened,
 * closed, closed as not planned (a learned limit) and reopened, expectations settled, a revert merged,
 * an annotation that explained breaches, an acknowledged breaking change.
 */
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";
import type { Suspect } from "../../../src/core/triage/find-suspects.js";
import type { LearnedEntry } from "../../../src/core/triage/learned-tolerance.js";
import type { Finding } from "../../../src/core/triage/triage-signal.js";
import type { CanaryRecord, ExpectationRecord, FindingRecord, Store } from "../../../src/store/store.js";

export const REPO = "acme/pipeline";
export const FP = {
  revenue: "a".repeat(64),
  email: "b".repeat(64),
  rows: "c".repeat(64),
  margin: "d".repeat(64),
};

const t = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

const suspect = (table: string, file: string, depth: number): Suspect => ({
  table,
  file,
  line: 3,
  transform: "expression",
  depth,
  rowRules: [],
  recentlyChanged: false,
});

function finding(
  fp: string,
  tableId: string,
  column: string | undefined,
  metric: string,
  suspects: Suspect[],
): Finding {
  const evaluation: Evaluation = {
    observedAt: "2026-01-01T00:00:00Z",
    metric,
    value: 1,
    breached: true,
    expected: false,
    severity: "warning",
  };
  return {
    fingerprint: fp,
    repo: REPO,
    dataset: `analytics.${tableId}`,
    tableId,
    match: "suffix",
    candidates: [],
    ...(column ? { column } : {}),
    metric,
    kind: metric === "row_count" ? "volume" : "completeness",
    threshold: { from: "default", relative: 0.3 },
    breached: true,
    reason: "simulated",
    severity: "warning",
    decision: "open",
    comment: true,
    annotations: [],
    suspects,
    signalIds: ["s"],
    observedAt: evaluation.observedAt,
    evaluation,
  };
}

/** Breach windows per fingerprint, in signal time: [from, to). */
const BREACHES: Record<string, Array<[string, string, boolean?]>> = {
  [FP.revenue]: [["2026-01-06T06:00:00Z", "2026-01-08T00:00:00Z"]],
  [FP.email]: [
    ["2026-01-20T00:00:00Z", "2026-02-03T00:00:00Z"],
    ["2026-02-10T00:00:00Z", "2026-02-11T00:00:00Z"],
  ],
  [FP.rows]: [
    ["2026-02-14T00:00:00Z", "2026-02-15T00:00:00Z", true],
    ["2026-03-01T18:00:00Z", "2026-04-01T00:00:00Z"],
  ],
};

async function history(store: Store): Promise<number> {
  let n = 0;
  const metricOf: Record<string, string> = {
    [FP.revenue]: "revenue_sum",
    [FP.email]: "completeness",
    [FP.rows]: "row_count",
  };
  for (const [fp, windows] of Object.entries(BREACHES)) {
    for (
      let at = Date.parse("2026-01-01T00:00:00Z");
      at < Date.parse("2026-04-01T00:00:00Z");
      at += 6 * HOUR
    ) {
      const w = windows.find(([from, to]) => at >= Date.parse(from) && at < Date.parse(to));
      await store.findings.addEvaluation({
        repo: REPO,
        fingerprint: fp,
        evaluation: {
          observedAt: new Date(at).toISOString(),
          metric: metricOf[fp] ?? "x",
          value: w ? 60 : 100,
          breached: w !== undefined,
          expected: w?.[2] === true,
          severity: "warning",
        },
      });
      n++;
    }
  }
  return n;
}

async function audit(
  store: Store,
  at: string,
  action: string,
  target: string,
  detail: unknown,
  actor = "backflow",
) {
  await store.audit.record({ at: t(at), actor, action, repo: REPO, target, detail });
}

function record(fp: string, f: Finding, over: Partial<FindingRecord>): FindingRecord {
  return {
    repo: REPO,
    fingerprint: fp,
    state: "resolved",
    issueNumber: null,
    severity: "warning",
    openedAt: null,
    resolvedAt: null,
    lastCommentAt: null,
    lastCommentSignalId: null,
    snoozedUntil: null,
    bodyHash: null,
    finding: f,
    updatedAt: t("2026-03-31T00:00:00Z"),
    ...over,
  };
}

function expectation(
  pr: number,
  fp: string,
  mergedAt: string,
  over: Partial<ExpectationRecord> = {},
): ExpectationRecord {
  return {
    id: `${REPO}#${pr}:3`,
    repo: REPO,
    pr,
    mergeSha: "0".repeat(40),
    mergedAt: t(mergedAt),
    author: "dev",
    fingerprint: fp,
    spec: {
      line: 3,
      text: "completeness of fct_orders.revenue >= 0.99 within 3d",
      metric: "completeness",
      target: "fct_orders.revenue",
      dataset: "fct_orders",
      column: "revenue",
      condition: { type: "compare", operator: ">=", value: 0.99 },
      mode: "within",
      duration: "3d",
      durationMs: 259_200_000,
      tableId: "fct_orders",
      fingerprint: fp,
    },
    state: "watching",
    verdict: null,
    revertPr: null,
    createdAt: t(mergedAt),
    updatedAt: t(mergedAt),
    ...over,
  };
}

export const LEARNED: LearnedEntry = {
  issue: 102,
  metric: "completeness",
  closedBy: "alice",
  closedAt: "2026-02-03T09:00:00Z",
  old: { min: 0.99 },
  worst: { min: 0.93 },
  learned: { min: 0.927 },
  breaches: 56,
};

function canary(pr: number, mergedAt: string, over: Partial<CanaryRecord>): CanaryRecord {
  const merged = t(mergedAt);
  const windowEnds = new Date(merged.getTime() + 72 * HOUR);
  return {
    id: `${REPO}#${pr}`,
    repo: REPO,
    pr,
    mergeSha: String(pr % 10).repeat(40),
    mergedAt: merged,
    author: "dev",
    windowEnds,
    watched: [{ tableId: "fct_orders", column: "revenue" }, { tableId: "fct_orders" }],
    series: [],
    state: "clean",
    ended: true,
    summary: "no regression on 2 watched columns over 3 days",
    evidence: [],
    createdAt: merged,
    updatedAt: windowEnds,
    ...over,
  };
}

/** The post-merge canaries of the quarter: one regression a month apart, a clean one, a silent one, one running. */
async function canaries(store: Store): Promise<void> {
  await store.canaries.add(
    canary(10, "2026-01-05T00:00:00Z", {
      state: "regressed",
      summary: "regression on 1 of 2 watched column(s) over 3 days: `fct_orders.revenue`",
      evidence: [
        "`fct_orders.revenue` `revenue_sum` −40% since this merge, 3 point(s) after vs median of 10 before",
      ],
    }),
  );
  await store.canaries.add(canary(13, "2026-02-05T00:00:00Z", {}));
  await store.canaries.add(
    canary(14, "2026-02-20T00:00:00Z", {
      state: "no-signal",
      watched: [{ tableId: "dim_customers", column: "phone" }],
      summary: "no signal for any of the 1 watched column(s) over 3 days: the canary cannot tell",
    }),
  );
  await store.canaries.add(
    canary(12, "2026-03-01T00:00:00Z", {
      state: "regressed",
      summary: "regression on 1 of 2 watched column(s) over 3 days: `fct_orders`",
      evidence: ["`fct_orders` `row_count` −40% since this merge, 9 point(s) after vs median of 10 before"],
    }),
  );
  await store.canaries.add(
    canary(15, "2026-03-30T00:00:00Z", { state: "watching", ended: false, summary: null }),
  );
}

/** Writes the quarter into `store`; returns how many history points it stored. */
export async function simulateQuarter(store: Store): Promise<{ points: number }> {
  const points = await history(store);
  await canaries(store);
  const fRevenue = finding(FP.revenue, "fct_orders", "revenue", "revenue_sum", [
    suspect("fct_orders", "models/marts/fct_orders.sql", 0),
    suspect("stg_orders", "models/staging/stg_orders.sql", 1),
  ]);
  const fEmail = finding(FP.email, "dim_customers", "email", "completeness", [
    suspect("dim_customers", "models/marts/dim_customers.sql", 0),
    suspect("stg_orders", "models/staging/stg_orders.sql", 2),
  ]);
  const fRows = finding(FP.rows, "fct_orders", undefined, "row_count", [
    suspect("fct_orders", "models/marts/fct_orders.sql", 0),
  ]);

  // January: PR #10 (expects revenue to hold) merges; revenue breaks 30 h later; issue #101 opens, closes after 48 h.
  await store.expectations.add([expectation(10, FP.revenue, "2026-01-05T00:00:00Z")]);
  await audit(store, "2026-01-06T12:05:00Z", "drift.created", FP.revenue, {
    signalId: "s1",
    issue: 101,
    reason: "revenue_sum 40% below",
  });
  await store.expectations.settle({
    id: `${REPO}#10:3`,
    from: "watching",
    state: "violated",
    verdict: { state: "violated", reason: "revenue_sum fell", evidence: [] },
    now: t("2026-01-07T00:00:00Z"),
  });
  await store.expectations.setRevertPr({ id: `${REPO}#10:3`, revertPr: 11, now: t("2026-01-07T01:00:00Z") });
  await store.repoState.put({
    repo: REPO,
    key: "auto-merge:11",
    value: { action: "merged" },
    now: t("2026-01-07T02:00:00Z"),
  });
  await audit(store, "2026-01-08T12:05:00Z", "drift.closed", FP.revenue, { signalId: "s2", issue: 101 });
  // Email completeness breaks without a recorded cause; alice closes #102 as not planned (limit learned).
  await audit(store, "2026-01-20T06:05:00Z", "drift.created", FP.email, {
    signalId: "s3",
    issue: 102,
    reason: "completeness below",
  });
  // February: the learned close, a reopen (alice undoes it), recovery; an annotation explains three breaches.
  await audit(store, "2026-02-03T09:00:00Z", "drift.learned", FP.email, LEARNED, "alice");
  await store.repoState.put({
    repo: REPO,
    key: `learned-tolerance:${FP.email}`,
    value: { fingerprint: FP.email, entries: [LEARNED] },
    now: t("2026-02-03T09:00:00Z"),
  });
  await store.expectations.add([expectation(13, FP.margin, "2026-02-05T00:00:00Z")]);
  await store.expectations.settle({
    id: `${REPO}#13:3`,
    from: "watching",
    state: "met",
    verdict: { state: "met", reason: "held", evidence: [] },
    now: t("2026-02-08T00:00:00Z"),
  });
  await audit(store, "2026-02-10T06:00:00Z", "drift.unlearned", FP.email, LEARNED, "alice");
  await audit(store, "2026-02-11T06:05:00Z", "drift.closed", FP.email, { signalId: "s4", issue: 102 });
  await store.annotations.add({
    id: "ann-promo",
    repo: REPO,
    dataset: "fct_*",
    kind: "event",
    from: "2026-02-14T00:00:00Z",
    to: "2026-02-15T00:00:00Z",
    note: "Valentine promo",
    author: "bob",
    createdAt: "2026-02-13T00:00:00Z",
  });
  for (const [i, at] of ["2026-02-14T00:05:00Z", "2026-02-14T06:05:00Z", "2026-02-14T12:05:00Z"].entries())
    await audit(store, at, "drift.expected", FP.rows, { signalId: `e${i}`, annotations: ["ann-promo"] });
  await audit(
    store,
    "2026-02-28T10:00:00Z",
    "impact.acknowledge",
    "pull/12",
    { pr: 12, headSha: "1".repeat(40), impactHash: "h", right: "owner" },
    "carol",
  );
  // March: PR #12 (acknowledged breaking) merges with an expectation; row count breaks 18 h later; #103 stays open.
  await store.expectations.add([expectation(12, FP.rows, "2026-03-01T00:00:00Z")]);
  await audit(store, "2026-03-02T00:05:00Z", "drift.created", FP.rows, {
    signalId: "s5",
    issue: 103,
    reason: "row_count 40% below",
  });
  await store.expectations.settle({
    id: `${REPO}#12:3`,
    from: "watching",
    state: "inconclusive",
    verdict: { state: "inconclusive", reason: "no baseline", evidence: [] },
    now: t("2026-03-05T00:00:00Z"),
  });

  await store.findings.put(
    record(FP.revenue, fRevenue, {
      issueNumber: 101,
      openedAt: t("2026-01-06T12:05:00Z"),
      resolvedAt: t("2026-01-08T12:05:00Z"),
    }),
  );
  await store.findings.put(
    record(FP.email, fEmail, {
      issueNumber: 102,
      openedAt: t("2026-02-10T06:00:00Z"),
      resolvedAt: t("2026-02-11T06:05:00Z"),
    }),
  );
  await store.findings.put(
    record(FP.rows, fRows, { state: "open", issueNumber: 103, openedAt: t("2026-03-02T00:05:00Z") }),
  );
  return { points };
}
