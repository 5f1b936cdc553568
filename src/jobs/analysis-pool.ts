import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { AnalyzedImpact, AnalyzeImpactInput } from "../core/impact/analyze-impact.js";
import type { RepoContext, RepoContextInput } from "../core/repo/repo-context.js";

/**
 * A task for the analysis worker: plain data only (Maps, Sets and plain objects cross the thread
 * boundary by structured clone; functions and class instances do not).
 */
export type AnalysisTask =
  | { readonly kind: "analyze-impact"; readonly input: AnalyzeImpactInput }
  | { readonly kind: "repo-context"; readonly input: RepoContextInput }
  | { readonly kind: "ping" };

type Reply = { ok: true; value: unknown } | { ok: false; name: string; message: string; stack?: string };

type Pending = {
  readonly task: AnalysisTask;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
};

type Slot = { worker: Worker; current: (Pending & { onAbort: () => void }) | undefined };

/**
 * What a pooled impact analysis sends back: the result without the base graph (no caller reads it)
 * and with only the analyses the input's cache lacked (the ones a caller stores). Every byte of the
 * reply is deserialized on the event loop: for 10,000 models the full result took ~0.75 s there.
 */
export type PooledImpact = Omit<AnalyzedImpact, "baseGraph">;

/** The slim reply of the worker: see PooledImpact. */
export function pooledImpactOf(analyzed: AnalyzedImpact, cache: AnalyzeImpactInput["cache"]): PooledImpact {
  const { baseGraph: _unused, analyses, ...rest } = analyzed;
  if (!cache || cache.size === 0) return { ...rest, analyses };
  return { ...rest, analyses: new Map([...analyses].filter(([key]) => !cache.has(key))) };
}

export type AnalysisPool = {
  /** Runs the impact analysis on a worker thread; the event loop stays free while it runs. */
  analyzeImpact(input: AnalyzeImpactInput, signal?: AbortSignal): Promise<PooledImpact>;
  readonly size: number;
  /** Builds a repository context (lineage, contracts, CODEOWNERS of one snapshot) on a worker thread. */
  repoContext(input: RepoContextInput, signal?: AbortSignal): Promise<RepoContext>;
  /** Starts every worker and waits until each has loaded the analysis code (server start-up). */
  warm(): Promise<void>;
  close(): Promise<void>;
};

/** The pool size: `BACKFLOW_ANALYSIS_THREADS`, else min(2, cores - 1), at least 1. */
export function analysisThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BACKFLOW_ANALYSIS_THREADS;
  if (raw !== undefined && raw.trim() !== "") {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new Error(
        `BACKFLOW_ANALYSIS_THREADS must be an integer from 1 to 64, got ${JSON.stringify(raw)}`,
      );
    return n;
  }
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

/**
 * The worker next to this module: compiled `.js` in dist; under tsx or vitest (TypeScript source), a
 * small bootstrap that loads the `.ts` entry through tsx's API, since a worker does not inherit the
 * parent's loader hooks.
 */
function spawnWorker(): Worker {
  const self = import.meta.url;
  if (!self.endsWith(".ts")) return new Worker(new URL("./analysis-worker.js", self));
  const entry = fileURLToPath(new URL("./analysis-worker.ts", self));
  // tsx's ESM API (its package `exports` maps `tsx/esm/api` to this file for `import`).
  const tsxDir = dirname(createRequire(self).resolve("tsx/package.json"));
  const api = pathToFileURL(join(tsxDir, "dist/esm/api/index.mjs")).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(self)}))`;
  return new Worker(code, { eval: true });
}

function errorOf(reply: Extract<Reply, { ok: false }>): Error {
  const error = new Error(reply.message);
  error.name = reply.name;
  if (reply.stack) error.stack = reply.stack;
  return error;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("The analysis was aborted");
}

/**
 * A fixed-size pool of worker threads for lineage building and SQL/Jinja rendering, with a FIFO
 * queue. An aborted task terminates its worker (a render cannot be interrupted otherwise) and a fresh
 * one replaces it; a worker that crashes fails its task and is replaced too. Idle workers are unref'd
 * so the pool never keeps a process alive.
 */
export function createAnalysisPool(options: { size?: number } = {}): AnalysisPool {
  const size = options.size ?? analysisThreads();
  const queue: Pending[] = [];
  const slots = new Set<Slot>();
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: spawnWorker(), current: undefined };
    slot.worker.unref();
    slot.worker.on("message", (reply: Reply) => {
      const task = finish(slot);
      if (!task) return;
      if (reply.ok) task.resolve(reply.value);
      else task.reject(errorOf(reply));
    });
    const died = (error: Error) => {
      if (!slots.has(slot)) return;
      slots.delete(slot);
      finish(slot)?.reject(error);
      if (!closed) spawn();
    };
    slot.worker.on("error", died);
    slot.worker.on("exit", (code) => died(new Error(`The analysis worker exited with code ${code}`)));
    slots.add(slot);
    pump();
    return slot;
  };

  const finish = (slot: Slot): Pending | undefined => {
    const task = slot.current;
    if (!task) return undefined;
    slot.current = undefined;
    task.signal?.removeEventListener("abort", task.onAbort);
    slot.worker.unref();
    queueMicrotask(pump);
    return task;
  };

  const pump = () => {
    for (const slot of slots) {
      if (slot.current) continue;
      const task = queue.shift();
      if (!task) return;
      if (task.signal?.aborted) {
        task.reject(abortError(task.signal));
        continue;
      }
      const onAbort = () => {
        if (slot.current?.task !== task.task) return;
        slots.delete(slot);
        slot.current = undefined;
        task.reject(abortError(task.signal as AbortSignal));
        void slot.worker.terminate();
        if (!closed) spawn();
      };
      slot.current = { ...task, onAbort };
      task.signal?.addEventListener("abort", onAbort, { once: true });
      slot.worker.ref();
      slot.worker.postMessage(task.task);
    }
  };

  const run = (task: AnalysisTask, signal: AbortSignal | undefined): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new Error("The analysis pool is closed"));
      if (signal?.aborted) return reject(abortError(signal));
      const pending: Pending = { task, resolve, reject, signal };
      queue.push(pending);
      if (signal)
        signal.addEventListener(
          "abort",
          () => {
            const at = queue.indexOf(pending);
            if (at >= 0) {
              queue.splice(at, 1);
              reject(abortError(signal));
            }
          },
          { once: true },
        );
      if (slots.size === 0) for (let i = 0; i < size; i++) spawn();
      pump();
    });

  return {
    size,
    analyzeImpact: async (input, signal) =>
      (await run({ kind: "analyze-impact", input }, signal)) as PooledImpact,
    repoContext: async (input, signal) => (await run({ kind: "repo-context", input }, signal)) as RepoContext,
    async warm() {
      await Promise.all(Array.from({ length: size }, () => run({ kind: "ping" }, undefined)));
    },
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error("The analysis pool is closed"));
      const all = [...slots];
      slots.clear();
      for (const slot of all) slot.current?.reject(new Error("The analysis pool is closed"));
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}

let shared: AnalysisPool | undefined;

/** The process's pool, created on first use (sized by `BACKFLOW_ANALYSIS_THREADS`). */
export function sharedAnalysisPool(): AnalysisPool {
  shared ??= createAnalysisPool();
  return shared;
}

/** Stops the process's pool, if one was started (graceful shutdown, tests). */
export async function closeSharedAnalysisPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
