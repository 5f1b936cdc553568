#!/usr/bin/env node
import { type CliIO, EXIT } from "./command.js";
import { runCli } from "./run-cli.js";

const io: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
};
runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`backflow: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT.usage;
  },
);
