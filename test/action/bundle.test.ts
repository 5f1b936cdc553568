import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUNDLE_PATH, bundleAction } from "../../scripts/build-action.js";
import { parseOutputs, pullRequestEvent, useCheckout, workflowEnv } from "./workflow-run.js";

const checkout = useCheckout("breaking");

describe("the committed Action bundle", () => {
  it("is what npm run build:action makes from the current sources", async () => {
    expect(readFileSync(BUNDLE_PATH, "utf8") === (await bundleAction())).toBe(true);
  });

  it("is the file action.yml runs, on node20, and runs alone as the runner starts it", () => {
    const action = parse(readFileSync(fileURLToPath(new URL("../../action.yml", import.meta.url)), "utf8"));
    expect(action.runs).toEqual({ using: "node20", main: "dist-action/index.js" });
    const event = pullRequestEvent({
      base: checkout.origin().sha.main ?? "",
      head: checkout.origin().sha.breaking ?? "",
    });
    const env = workflowEnv({ workspace: checkout.workspace(), event });
    // No PATH to node_modules and no NODE_PATH: the bundle must carry every dependency.
    const run = spawnSync(process.execPath, [BUNDLE_PATH], {
      cwd: checkout.workspace(),
      env: { ...env, PATH: process.env.PATH ?? "" },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error file=examples\/shop\/models\/staging\/stg_orders\.sql,line=\d+/m);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, "utf8")).toMatch(/^## Breaking/);
    expect(parseOutputs(readFileSync(env.GITHUB_OUTPUT, "utf8")).verdict).toBe("breaking");
    expect(execFileSync("git", ["-C", checkout.workspace(), "status", "--porcelain"]).toString()).toBe("");
  });
});
