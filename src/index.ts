import type { ApplicationFunction } from "probot";
import type { AppDeps } from "./github/app-deps.js";
import { handlePullRequestClosed } from "./github/expectations/handle-pull-request-closed.js";
import { handleCheckRunRequestedAction } from "./github/handlers/check-run.js";
import { handleInstallationCreated } from "./github/handlers/installation-created.js";
import { handleIssueComment } from "./github/handlers/issue-comment.js";
import { handleIssueStateChange, ISSUE_STATE_EVENTS } from "./github/handlers/issues-closed.js";
import { handleIssuesEdited } from "./github/handlers/issues-edited.js";
import { handlePullRequest, PULL_REQUEST_EVENTS } from "./github/handlers/pull-request.js";
import { handlePush } from "./github/handlers/push.js";
import { createStoreMetrics } from "./server/metrics.js";
import { createOpsHandler } from "./server/ops-routes.js";
import { readAppSettings } from "./server/read-server-env.js";
import { openStore } from "./store/open-store.js";

export type { AppDeps } from "./github/app-deps.js";

/**
 * The Backflow Probot app with its dependencies injected: one handler per event.
 * @example await probot.load(createBackflowApp({ store, clock: () => new Date() }))
 */
export function createBackflowApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    app.onAny(async (context) => {
      deps.metrics?.webhooksReceived.inc({ event: context.name });
    });
    app.on([...PULL_REQUEST_EVENTS], handlePullRequest(deps));
    app.on("push", handlePush(deps));
    app.on("check_run.requested_action", handleCheckRunRequestedAction(deps));
    app.on("installation.created", handleInstallationCreated(deps));
    app.on("issue_comment.created", handleIssueComment(deps));
    app.on("pull_request.closed", handlePullRequestClosed(deps));
    app.on("issues.edited", handleIssuesEdited(deps));
    app.on([...ISSUE_STATE_EVENTS], handleIssueStateChange(deps));
  };
}

/**
 * The app for Probot's own runner (`probot run ./dist/index.js`): opens the store named by
 * DATABASE_URL and adds Backflow's health and metrics routes to Probot's server.
 * `npm start` uses src/main.ts instead, which also checks credentials and runs the job worker.
 */
export const backflowApp: ApplicationFunction = async (app, options) => {
  const settings = readAppSettings(process.env);
  const store = openStore(settings.databaseUrl);
  const metrics = createStoreMetrics(store);
  await createBackflowApp({ store, metrics, clock: () => new Date(), ...settings.app })(app, options);
  options.addHandler(createOpsHandler({ store, metrics }));
};
