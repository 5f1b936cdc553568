import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { REPO_ROOT } from "../store/temp-db.js";
import { findFreePort, TEST_APP_ID, TEST_WEBHOOK_SECRET, testPrivateKey } from "./probot.js";

/** One `npm start` process (src/main.ts through tsx) on a loopback port. */
export type BackflowInstance = {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** The process's stdout and stderr so far (its log, at LOG_LEVEL), for failure messages. */
  output(): string;
  /** Sends `signal` and resolves when the process has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
};

/**
 * Starts Backflow as `npm start` would, with the test app's credentials and `env` on top (DATABASE_URL,
 * GHE_HOST, …), and resolves once its /readyz answers 200 (store open, migrations done).
 * `node --import tsx` directly, not npx, so a SIGKILL reaches the process that runs the worker.
 */
export async function startBackflowInstance(input: {
  name: string;
  env: Record<string, string>;
  readyWithinMs?: number;
}): Promise<BackflowInstance> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      APP_ID: String(TEST_APP_ID),
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      ...input.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    // The tail is what explains a failure; an instance logging at debug must not grow without bound.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, "exit");
  const instance: BackflowInstance = {
    name: input.name,
    port,
    url,
    process: child,
    output: () => output,
    async stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + (input.readyWithinMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${input.name} exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return instance;
    await new Promise((r) => setTimeout(r, 100));
  }
  await instance.stop("SIGKILL");
  throw new Error(
    `${input.name} did not answer /readyz within ${input.readyWithinMs ?? 30_000} ms:\n${output}`,
  );
}
