import type { Finding } from "../../../src/core/triage/triage-signal.js";
import type { FindingRecord } from "../../../src/store/store.js";
import { loadPayload } from "../../helpers/payloads.js";

export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const REPO_KEY = "codertocat/hello-world";
export const FINGERPRINT = "ab".repeat(32);

let commentCounter = 5000;

/** A real issue_comment.created payload with `body`, a fresh comment id, on issue `issue`. */
export function commentPayload(
  body: string,
  options: {
    issue?: Record<string, unknown>;
    user?: Record<string, unknown>;
    sender?: Record<string, unknown>;
    id?: number;
  } = {},
) {
  const id = options.id ?? ++commentCounter;
  const payload = loadPayload("issue_comment", {
    action: "created",
    overrides: {
      comment: {
        id,
        body,
        html_url: `https://github.com/${OWNER}/${REPO}/issues/1#issuecomment-${id}`,
        ...(options.user ? { user: options.user } : {}),
      },
      ...(options.issue ? { issue: options.issue } : {}),
      ...(options.sender ? { sender: options.sender } : {}),
    },
  });
  const issue = payload.issue as Record<string, unknown>;
  if (!options.issue?.pull_request) delete issue.pull_request;
  return {
    payload,
    id,
    issueNumber: issue.number as number,
    login: (payload.comment as { user: { login: string } }).user.login,
  };
}

export function driftIssueBody(fingerprint = FINGERPRINT): string {
  return `<!-- backflow:finding ${fingerprint} -->\n## completeness of orders.customer_id\n`;
}

const finding: Finding = {
  fingerprint: FINGERPRINT,
  repo: REPO_KEY,
  dataset: "orders",
  tableId: "orders",
  match: "exact",
  candidates: [],
  column: "customer_id",
  metric: "completeness",
  kind: "completeness",
  observed: 0.93,
  threshold: { from: "config", min: 0.99 },
  breached: true,
  reason: "completeness = 0.93 is below the minimum 0.99",
  severity: "error",
  decision: "open",
  comment: true,
  annotations: [],
  suspects: [],
  signalIds: ["s1"],
  observedAt: "2026-11-24T06:00:00Z",
  evaluation: {
    observedAt: "2026-11-24T06:00:00Z",
    metric: "completeness",
    value: 0.93,
    breached: true,
    expected: false,
    severity: "error",
    signalId: "s1",
  },
};

/** A stored open finding tracked by issue `issueNumber`. */
export function findingRecord(over: Partial<FindingRecord> = {}): FindingRecord {
  return {
    repo: REPO_KEY,
    fingerprint: FINGERPRINT,
    state: "open",
    issueNumber: 1,
    severity: "error",
    openedAt: new Date("2026-11-24T06:01:00Z"),
    resolvedAt: null,
    lastCommentAt: null,
    lastCommentSignalId: null,
    snoozedUntil: null,
    bodyHash: "h1",
    finding,
    updatedAt: new Date("2026-11-24T06:01:00Z"),
    ...over,
  };
}
