import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { triageDeliveryHandler } from "../../src/github/jobs/triage-delivery-handler.js";
import { createWorker } from "../../src/jobs/worker.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { CONFIG, completeness, FULL_NAME, resetNock, testOctokit } from "../github/drift/drift-harness.js";
import { fakeGitHub } from "../github/drift/fake-github.js";
import { silentLog } from "../helpers/probot.js";
import { post, SECRET, signedHeaders } from "../server/signals/intake-harness.js";
import { REPO_ROOT, tempDbPath } from "../store/temp-db.js";

const sources = JSON.stringify({ sources: [{ id: "monitor", secrets: [SECRET], repos: [FULL_NAME] }] });

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  while (!text.includes("\n")) {
    const [chunk] = (await once(stream, "data")) as [Buffer];
    text += chunk.toString();
  }
  return text.split("\n")[0] ?? "";
}

afterEach(() => resetNock());

describe("signal to drift issue across a crash", () => {
  it("opens the issue after the intake process is SIGKILLed right after its 202", async () => {
    const db = tempDbPath();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/server/signals/fixtures/intake-child.ts", db.path, sources],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const port = Number(await firstLine(child.stdout));
      const body = JSON.stringify(completeness({ id: "crash-1", at: new Date(), value: 0.93 }));
      const reply = await post({
        port,
        path: "/signals",
        body,
        headers: signedHeaders({ secret: SECRET, body, id: "msg_crash" }),
      });
      expect(reply.status).toBe(202);
      child.kill("SIGKILL");
      await once(child, "exit");

      const github = fakeGitHub({ config: CONFIG });
      const octokit = await testOctokit();
      const store = openSqliteStore(db.path);
      try {
        const clock = () => new Date();
        const handlers = Object.fromEntries([
          triageDeliveryHandler({
            deps: { store, clock },
            log: silentLog(),
            octokitFor: async () => octokit,
          }),
        ]);
        expect(await createWorker({ store, handlers, workerId: "after-crash" }).drain()).toBe(1);
        expect(github.issues.size).toBe(1);
        expect(github.issues.get(1)?.title).toBe("Completeness: fct_orders.customer_id 0.93 < 0.99");
        const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: "msg_crash" });
        expect(stored?.delivery.state).toBe("processed");
        expect(stored?.signals.map((s) => s.fingerprint)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
      } finally {
        await store.close();
      }
    } finally {
      child.kill("SIGKILL");
      db.cleanup();
    }
  }, 60_000);
});
