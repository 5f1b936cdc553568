import { type ParseArgsConfig, parseArgs } from "node:util";

/** Exit codes of the `backflow` command, so CI steps can gate on them. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type CliIO = {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
};

/** A subcommand's parsed arguments. */
export type CommandArgs = { values: Record<string, unknown>; positionals: string[] };

/** What `backflow` knows about a subcommand before loading it: enough for help and argument errors. */
export type CommandSpec = {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
};

/** Runs a subcommand: returns the exit code; never calls process.exit itself. */
export type CommandRun = (args: CommandArgs, io: CliIO) => Promise<ExitCode>;

/** One subcommand of `backflow` with its implementation. */
export type CliCommand = CommandSpec & {
  run(args: CommandArgs, io: CliIO): Promise<ExitCode>;
};

/** A usage or input problem: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseCommandArgs(command: CommandSpec, argv: string[]): CommandArgs {
  try {
    return parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${command.usage}`);
  }
}
