import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { analyzeImpact } from "../core/impact/analyze-impact.js";
import { repoContextOf } from "../core/repo/repo-context.js";
import { type AnalysisTask, pooledImpactOf } from "./analysis-pool.js";

/** The analysis pool's worker thread: runs one pure core task per message and posts the result back. */
const port = parentPort;
if (!port) throw new Error("analysis-worker runs only as a worker thread");
// Below the HTTP thread: on Linux a thread has its own nice value, so on a busy machine the event loop
// that answers webhooks and /healthz gets the CPU first.
try {
  setPriority(0, 10);
} catch {
  // Not permitted or not supported: run at normal priority.
}
port.on("message", (task: AnalysisTask) => {
  try {
    if (task.kind === "ping") {
      port.postMessage({ ok: true, value: null });
      return;
    }
    if (task.kind === "repo-context") {
      port.postMessage({ ok: true, value: repoContextOf(task.input) });
      return;
    }
    if (task.kind !== "analyze-impact")
      throw new Error(`Unknown analysis task ${String((task as { kind: unknown }).kind)}`);
    port.postMessage({ ok: true, value: pooledImpactOf(analyzeImpact(task.input), task.input.cache) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ ok: false, name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
  }
});
