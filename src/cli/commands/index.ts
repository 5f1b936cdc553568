import type { CliCommand } from "../command.js";
import { demoCommand } from "./demo.js";

/** Every subcommand, in the order `backflow --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [demoCommand];
