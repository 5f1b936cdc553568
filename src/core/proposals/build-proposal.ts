import type { Proposal } from "./file-edit.js";
import { type ProposalInput, proposeCleansing } from "./propose-cleansing.js";
import { type Direction, proposeContractChange } from "./propose-contract-change.js";

/**
 * The proposal of a kind for a finding; with no kind, a cleansing rule where one fits, else the
 * contract change (freshness findings always get the contract's SLA change).
 */
export function buildProposal(
  input: ProposalInput & { kind?: "cleansing" | "contract"; direction?: Direction },
): Proposal {
  if (input.kind === "contract") return proposeContractChange(input);
  const cleansing = proposeCleansing(input);
  if (input.kind === "cleansing" || cleansing.edits.length > 0) return cleansing;
  const contract = proposeContractChange(input);
  return contract.edits.length > 0 ? contract : cleansing;
}
