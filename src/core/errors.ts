/**
 * The root of every error Backflow expects and knows how to explain to a user.
 * Handlers turn these into check runs, comments or 4xx responses; anything else is a bug and is rethrown.
 */
export class BackflowError extends Error {
  override readonly name: string = "BackflowError";
}

export type ConfigProblem = {
  readonly path: string;
  readonly message: string;
  /** The file the problem comes from, when it is not the error's own file (a base reached through `_extends`). */
  readonly file?: string;
};

/** A repository or server configuration that does not validate. `problems` lists every issue at once. */
export class ConfigError extends BackflowError {
  override readonly name = "ConfigError";
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${file} is invalid:\n${problems
        .map(
          (p) => `  - ${p.file && p.file !== file ? `${p.file}: ` : ""}${p.path || "(root)"}: ${p.message}`,
        )
        .join("\n")}`,
    );
  }
}

/** SQL that the parser could not read; carries the location in the file the user wrote. */
export class SqlParseError extends BackflowError {
  override readonly name = "SqlParseError";
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column?: number,
  ) {
    super(`${file}:${line}${column ? `:${column}` : ""}: ${message}`);
  }
}

/** A signal that cannot be accepted; `path` is the zod path of the problem when there is one. */
export class SignalError extends BackflowError {
  override readonly name = "SignalError";
  constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 = 400,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** A write to GitHub that failed in a way the user can act on (permissions, protected branch, …). */
export class GitHubWriteError extends BackflowError {
  override readonly name = "GitHubWriteError";
}
