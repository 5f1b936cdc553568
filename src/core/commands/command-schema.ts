import { z } from "zod";
import { CommandNameSchema } from "../config/schema.js";

export { CommandNameSchema };
export type CommandName = z.infer<typeof CommandNameSchema>;
export const COMMAND_NAMES: readonly CommandName[] = CommandNameSchema.options;

export const ANNOTATION_KINDS = ["seasonality", "policy", "event", "maintenance"] as const;
export const PROPOSAL_KINDS = ["cleansing", "contract", "revert"] as const;
export const LINEAGE_DIRECTIONS = ["up", "down", "both"] as const;

/** Notes and reasons are capped: they end up in issues and signals, which have limits of their own. */
export const MAX_NOTE_CHARS = 1000;

const Note = z.string().max(MAX_NOTE_CHARS, `keep the note under ${MAX_NOTE_CHARS} characters`);
const IsoDateTime = z.iso.datetime({ offset: true });
const Target = z.string().min(1).max(500);

export const HelpArgsSchema = z.strictObject({});
export const ReportArgsSchema = z.strictObject({
  /** `dataset` or `dataset.column` exactly as typed; the handler resolves it against the lineage. */
  target: Target,
  metric: z.string().min(1).max(200),
  value: z.number({ error: "`value` must be a number" }).finite(),
  note: Note.optional(),
});
export const AnnotateArgsSchema = z
  .strictObject({
    dataset: Target,
    kind: z.enum(ANNOTATION_KINDS),
    from: IsoDateTime.optional(),
    to: IsoDateTime.optional(),
    note: Note.min(1, "an annotation needs a note saying what happened"),
  })
  .refine((a) => !a.from || !a.to || Date.parse(a.from) <= Date.parse(a.to), {
    message: "the window starts after it ends; write it as `<from>..<to>`",
  })
  .refine((a) => a.from !== undefined || a.to !== undefined, {
    message: "give at least one end of the window, e.g. `2026-11-01..` or `..2026-12-01`",
  });
export const LineageArgsSchema = z.strictObject({
  target: Target,
  direction: z.enum(LINEAGE_DIRECTIONS),
});
export const ProposeArgsSchema = z.strictObject({
  kind: z.enum(PROPOSAL_KINDS).optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/i, "a commit SHA (7 to 40 hex digits)")
    .optional()
    .describe("revert only: the commit to undo; the newest change to a suspect file when absent."),
});
export const SnoozeArgsSchema = z.strictObject({
  duration: z.string().min(1),
  ms: z.number().int().positive(),
});
export const ResolveArgsSchema = z.strictObject({ reason: Note.optional() });
export const RollbackArgsSchema = z.strictObject({});

/** The argument schema of every command, by name. */
export const COMMAND_ARGS = {
  help: HelpArgsSchema,
  report: ReportArgsSchema,
  annotate: AnnotateArgsSchema,
  lineage: LineageArgsSchema,
  propose: ProposeArgsSchema,
  snooze: SnoozeArgsSchema,
  resolve: ResolveArgsSchema,
  rollback: RollbackArgsSchema,
} as const satisfies Record<CommandName, z.ZodType>;

/** A command that parsed: its name and typed arguments. */
export type Command = {
  [K in CommandName]: { readonly command: K; readonly args: z.infer<(typeof COMMAND_ARGS)[K]> };
}[CommandName];

export type CommandOf<K extends CommandName> = Extract<Command, { command: K }>;

/** One `/backflow` line of a comment: a command, or an error that says how to fix it. */
export type ParsedCommand =
  | (Command & { readonly line: number; readonly text: string })
  | {
      readonly command?: undefined;
      readonly error: string;
      readonly suggestion?: string;
      readonly line: number;
      readonly text: string;
    };

/** The usage line of each command, shown in errors and in help. */
export const COMMAND_USAGE: Readonly<Record<CommandName, string>> = {
  help: "/backflow help",
  report: "/backflow report <dataset>[.<column>] <metric> <value> [note…]",
  annotate: "/backflow annotate <dataset> <seasonality|policy|event|maintenance> <from>..<to> <note…>",
  lineage: "/backflow lineage <table>[.<column>] [up|down]",
  propose: "/backflow propose [cleansing|contract|revert [sha]]",
  snooze: "/backflow snooze <duration>",
  resolve: "/backflow resolve [reason…]",
  rollback: "/backflow rollback",
};
