import { isNotFound } from "../request-errors.js";
import type { GitHubWriter } from "./github-writer.js";

/** The colour of a label Backflow creates (people may change it afterwards). */
const NEW_LABEL_COLOR = "d93f0b";

/**
 * Creates each label the repository does not have yet: a label named in config must exist before an
 * issue can be filtered by it. A label that exists is left as people set it.
 */
export async function ensureLabels(
  writer: GitHubWriter,
  names: readonly string[],
  description = "Added by Backflow",
): Promise<void> {
  const { owner, repo } = writer;
  for (const name of new Set(names)) {
    try {
      await writer.read((o) => o.rest.issues.getLabel({ owner, repo, name }));
      continue;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const payload = { name, color: NEW_LABEL_COLOR, description };
    const sent = await writer.send({ kind: "label", verb: `create label ${name}`, payload }, (o, p) =>
      o.rest.issues.createLabel(p),
    );
    writer.record("label", sent ? "created" : "dry-run", { label: name });
  }
}
