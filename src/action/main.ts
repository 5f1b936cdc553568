import { runAction } from "./run-action.js";

// The GitHub Action's entry (bundled into dist-action/index.js): the runner starts it with node.
runAction({ env: process.env, out: (text) => process.stdout.write(text) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const text = (error as Error).stack ?? String(error);
    process.stdout.write(`::error title=Backflow::unexpected error: ${text.replace(/\n/g, "%0A")}\n`);
    process.exitCode = 2;
  },
);
