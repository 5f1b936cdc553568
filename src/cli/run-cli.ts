import { readFileSync } from "node:fs";
import { BackflowError } from "../core/errors.js";
import { type CliIO, EXIT, type ExitCode, parseCommandArgs, UsageError } from "./command.js";
import { COMMANDS } from "./commands/index.js";
import { resolveDatabaseArg } from "./database-arg.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "backflow — carry downstream data problems back into the pipeline repository",
    "",
    "usage: backflow <command> [options]",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "options: --help, --version",
    "exit codes: 0 success, 1 findings that should fail a CI step, 2 usage or input error",
    "",
  ].join("\n");
}

/** Runs the CLI with the given arguments; returns the exit code (testable without a child process). */
export async function runCli(argv: string[], io: CliIO): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    io.out(`${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`unknown command "${name}"\n\n${help()}`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`${command.summary}\nusage: ${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    // Arguments are checked before the command's modules load, so a typo fails fast.
    const args = parseCommandArgs(command, rest);
    // Every command's --database, like every path, is relative to the working directory.
    if ("database" in args.values) args.values.database = resolveDatabaseArg(args.values.database, io.cwd);
    const run = await command.load();
    return await run(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof BackflowError) {
      const usage =
        error instanceof UsageError && !error.message.includes("usage:") ? `\nusage: ${command.usage}` : "";
      io.err(`backflow ${name}: ${error.message}${usage}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
