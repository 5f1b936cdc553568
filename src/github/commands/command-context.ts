import type { BackflowConfig } from "../../core/config/schema.js";
import type { CommandStatus } from "../../core/render/render-command-reply.js";
import type { RepoTarget } from "../app-deps.js";

/** Everything a command needs about where it was written and by whom. */
export type CommandContext = RepoTarget & {
  readonly actor: string;
  readonly commentId: number;
  /** The GitHub App installation the comment came through; jobs authenticate with it. */
  readonly installationId: number;
  readonly commentUrl: string;
  readonly issue: {
    readonly number: number;
    readonly title: string;
    readonly body: string;
    readonly isPullRequest: boolean;
  };
  readonly config: BackflowConfig;
  readonly now: Date;
};

/** What running one command produced; `message` is markdown with untrusted parts already escaped. */
export type CommandResult = {
  readonly status: Exclude<CommandStatus, "refused" | "invalid">;
  readonly message: string;
};

export const done = (message: string): CommandResult => ({ status: "done", message });
export const failed = (message: string): CommandResult => ({ status: "failed", message });
