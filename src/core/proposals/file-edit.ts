import { z } from "zod";

/** One file's proposed change, as full contents before and after (the PR commits `after`). */
export const FileEditSchema = z.strictObject({
  path: z.string(),
  before: z.string().describe("Current contents; empty for a file the proposal creates."),
  after: z.string(),
});
export type FileEdit = z.infer<typeof FileEditSchema>;

export const ProposalKindSchema = z.enum(["cleansing", "contract", "revert"]);
export type ProposalKind = z.infer<typeof ProposalKindSchema>;

export const RiskSchema = z.enum(["low", "medium", "high"]);

/** What a proposal offers: file edits and why. No edits means Backflow could not propose safely (see rationale). */
export const ProposalSchema = z.strictObject({
  kind: ProposalKindSchema,
  title: z.string(),
  edits: z.array(FileEditSchema),
  rationale: z.string().describe("What the edit does and why, or why no edit is offered."),
  risk: RiskSchema,
  /** What the edit may cost, e.g. rows a filter drops; shown in the PR body. */
  cost: z.string(),
  /** The expectation a reviewer can check after merging (one line per `expects:` entry). */
  expects: z.array(z.string()),
  /** A contract change consumers must adapt to (label it breaking). */
  breaking: z.boolean(),
});
export type Proposal = z.infer<typeof ProposalSchema>;

/** A proposal that offers nothing, with the reason a person should read. */
export function noProposal(kind: ProposalKind, title: string, rationale: string): Proposal {
  return { kind, title, edits: [], rationale, risk: "low", cost: "none", expects: [], breaking: false };
}
