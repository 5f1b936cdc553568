import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { REPO_ROOT } from "../store/temp-db.js";

/** Starts a TypeScript fixture through tsx; `line(re)` resolves with the first stdout line matching `re`. */
export function startFixture(script: string, args: readonly string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ["--import", "tsx", script, ...args],
    {
      cwd: REPO_ROOT,
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const line = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = stdout.split("\n").find((l) => re.test(l));
        if (match !== undefined) {
          child.stdout.off("data", check);
          resolve(match);
        }
      };
      child.stdout.on("data", check);
      child.on("close", () => reject(new Error(`fixture exited before printing ${re}: ${stderr}`)));
      check();
    });
  return { child, exited, line, output: () => ({ stdout, stderr }) };
}
