import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { recoverPendingDeliveries } from "../../../src/server/signals/recover-pending.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { REPO_ROOT, tempDbPath } from "../../store/temp-db.js";
import { canonicalSignal, post, SECRET, signedHeaders } from "./intake-harness.js";

const sources = JSON.stringify({ sources: [{ id: "monitor", secrets: [SECRET], repos: ["acme/shop"] }] });

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  while (!text.includes("\n")) {
    const [chunk] = (await once(stream, "data")) as [Buffer];
    text += chunk.toString();
  }
  return text.split("\n")[0] ?? "";
}

describe("crash between 202 and processing", () => {
  it("loses nothing: the delivery is pending and its job queued after SIGKILL, and recovery is idempotent", async () => {
    const db = tempDbPath();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/server/signals/fixtures/intake-child.ts", db.path, sources],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const port = Number(await firstLine(child.stdout));
      const body = JSON.stringify(canonicalSignal());
      const reply = await post({
        port,
        path: "/signals",
        body,
        headers: signedHeaders({ secret: SECRET, body, id: "msg_crash" }),
      });
      expect(reply.status).toBe(202);
      child.kill("SIGKILL");
      await once(child, "exit");

      const store = openSqliteStore(db.path);
      try {
        const pending = await store.signals.pendingDeliveries();
        expect(pending.map((d) => [d.source, d.deliveryId, d.state])).toEqual([
          ["monitor", "msg_crash", "pending"],
        ]);
        const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: "msg_crash" });
        expect(stored?.signals.map((s) => s.signalId)).toEqual(reply.body.signalIds);
        const jobs = await store.jobs.list({ kind: "triage-delivery", state: "queued" });
        expect(jobs.map((j) => j.idempotencyKey)).toEqual(["triage-delivery:monitor:msg_crash"]);

        const recovered = await recoverPendingDeliveries({ store, now: new Date() });
        expect(recovered).toEqual({ pending: 1, requeued: 0 });
        expect(await store.jobs.list()).toHaveLength(1);
      } finally {
        await store.close();
      }
    } finally {
      child.kill("SIGKILL");
      db.cleanup();
    }
  });
});
