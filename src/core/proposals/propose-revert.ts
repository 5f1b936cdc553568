import { noProposal, type Proposal } from "./file-edit.js";
import { revertPatch } from "./revert-patch.js";

/** One file of a commit as GitHub's commit API lists it (`files[]`). */
export type CommitFile = { readonly filename: string; readonly patch?: string; readonly status?: string };

/**
 * A revert of one commit's hunks in the suspect files: every file of the commit that is a suspect
 * (all of them when `suspectFiles` is empty) is reverse-patched against its current content. Any
 * hunk that no longer applies refuses the whole revert, naming the file and hunk.
 */
export function proposeRevert(input: {
  commitSha: string;
  commitTitle?: string;
  files: ReadonlyArray<CommitFile>;
  current: ReadonlyMap<string, string>;
  suspectFiles?: ReadonlySet<string>;
}): Proposal {
  const sha8 = input.commitSha.slice(0, 8);
  const title = `Revert ${sha8}${input.commitTitle ? ` (${input.commitTitle.split("\n")[0]})` : ""}`.slice(
    0,
    200,
  );
  const suspects = input.suspectFiles && input.suspectFiles.size > 0 ? input.suspectFiles : undefined;
  const chosen = input.files.filter((f) => !suspects || suspects.has(f.filename));
  if (chosen.length === 0)
    return noProposal("revert", title, `commit ${sha8} touched none of the suspect files`);
  const edits = [];
  for (const file of chosen) {
    if (file.status === "added" || file.status === "removed" || file.status === "renamed") {
      return noProposal(
        "revert",
        title,
        `${file.filename} was ${file.status} by ${sha8}; revert it with git revert instead`,
      );
    }
    const current = input.current.get(file.filename);
    if (current === undefined)
      return noProposal("revert", title, `${file.filename} no longer exists on the default branch`);
    const reverted = revertPatch({ path: file.filename, patch: file.patch ?? "", current });
    if (!reverted.ok) return noProposal("revert", title, reverted.reason);
    edits.push({ path: file.filename, before: current, after: reverted.after });
  }
  return {
    kind: "revert",
    title,
    edits,
    rationale: `undoes the changes ${sha8} made to ${edits.map((e) => e.path).join(", ")}, the suspect file(s) of the finding`,
    risk: "medium",
    cost: "anything else that commit changed in these files is undone too",
    expects: [],
    breaking: false,
  };
}
