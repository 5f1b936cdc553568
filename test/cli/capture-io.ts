import type { CliIO } from "../../src/cli/command.js";

/** CLI I/O run in `cwd` with `env`, collecting what the command prints to stdout and stderr. */
export function captureIO(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CliIO & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    cwd,
    env,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    stdout: () => out,
    stderr: () => err,
  };
}
