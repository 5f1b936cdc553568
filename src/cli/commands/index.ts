import { jobsCommand } from "../../jobs/jobs-command.js";
import type { CliCommand } from "../command.js";
import { annotateCommand } from "./annotate.js";
import { demoCommand } from "./demo.js";
import { expectCommand } from "./expect.js";
import { impactCommand } from "./impact.js";
import { lineageCommand } from "./lineage.js";
import { proposeCommand } from "./propose.js";
import { pruneCommand } from "./prune.js";
import { triageCommand } from "./triage.js";

/** Every subcommand, in the order `backflow --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  annotateCommand,
  demoCommand,
  expectCommand,
  impactCommand,
  jobsCommand,
  lineageCommand,
  proposeCommand,
  pruneCommand,
  triageCommand,
];
