import { z } from "zod";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { requestStatus } from "../request-errors.js";
import { writerFor } from "../writers/github-writer.js";

/** The repoState key holding whether Backflow managed to pin the dashboard issue it created last. */
export const DASHBOARD_PIN_KEY = "dashboard-pin";

/** The outcome of pinning one dashboard issue, kept so the body can say why it is not pinned. */
export const dashboardPinStateSchema = z.strictObject({
  issue: z.number().int().positive(),
  pinned: z.boolean(),
  reason: z.string().optional(),
});
export type DashboardPinState = z.infer<typeof dashboardPinStateSchema>;

/** GitHub offers pinning only through GraphQL; the issue is named by its node id (REST `node_id`). */
export const PIN_ISSUE_MUTATION =
  "mutation PinDashboard($issueId: ID!) { pinIssue(input: { issueId: $issueId }) { issue { number isPinned } } }";

const MAX_REASON = 300;

/**
 * Why GitHub refused the pin, from a GraphQL `errors` array or an HTTP error; undefined for
 * anything that is not a GitHub answer (a bug, which the caller should see).
 */
export function pinFailureReason(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const errors = "errors" in error && Array.isArray(error.errors) ? (error.errors as unknown[]) : undefined;
  const messages = (errors ?? [])
    .map((e) => (typeof e === "object" && e !== null && "message" in e ? String(e.message) : ""))
    .filter((m) => m !== "");
  if (messages.length > 0) return messages.join("; ").slice(0, MAX_REASON);
  if (requestStatus(error) !== undefined && error instanceof Error) return error.message.slice(0, MAX_REASON);
  return undefined;
}

/**
 * Pins a dashboard issue Backflow has just created. A refusal (three issues already pinned, the app
 * may not pin, GitHub unavailable) is logged and recorded, never thrown: the dashboard stays, its
 * body says it is not pinned, and Backflow does not try again. Dry run: logs the mutation only.
 */
export async function pinDashboard(
  input: RepoTarget & { issue: { number: number; nodeId: string } },
): Promise<DashboardPinState | undefined> {
  const { deps, log, issue, repoKey } = input;
  const writer = writerFor(input);
  const payload = { query: PIN_ISSUE_MUTATION, variables: { issueId: issue.nodeId } };
  let state: DashboardPinState;
  try {
    const sent = await writer.send({ kind: "pin", verb: "pin the dashboard issue", payload }, (o, p) =>
      o.graphql(p.query, p.variables),
    );
    if (sent === undefined) return undefined;
    writer.record("pin", "created", { issue: issue.number });
    state = { issue: issue.number, pinned: true };
    log.info({ repo: repoKey, issue: issue.number }, "pinned the dashboard issue");
  } catch (error) {
    const reason = pinFailureReason(error);
    if (reason === undefined) throw error;
    state = { issue: issue.number, pinned: false, reason };
    log.warn(
      { repo: repoKey, issue: issue.number, reason },
      "could not pin the dashboard issue; the dashboard asks people to pin it from the issue's sidebar",
    );
  }
  await deps.store.repoState.put({ repo: repoKey, key: DASHBOARD_PIN_KEY, value: state, now: deps.clock() });
  return state;
}

/** Why the repository's current dashboard issue is not pinned, if pinning it failed. */
export async function readPinProblem(input: {
  store: Store;
  repoKey: string;
  dashboardIssue: number | null;
}): Promise<string | undefined> {
  const raw = await input.store.repoState.get({ repo: input.repoKey, key: DASHBOARD_PIN_KEY });
  const parsed = dashboardPinStateSchema.safeParse(raw);
  if (!parsed.success || parsed.data.pinned || parsed.data.issue !== input.dashboardIssue) return undefined;
  return parsed.data.reason ?? "GitHub refused the pin";
}
