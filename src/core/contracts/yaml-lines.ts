import { isNode, LineCounter, parseDocument } from "yaml";

/** Finds the 1-based line of a key path such as ["schema", 0, "properties", 2] in a YAML text. */
export type LineLookup = (path: readonly (string | number)[]) => number;

/**
 * Indexes a YAML text (already validated by parseYamlSafely) so values can be traced back to lines.
 * A path that does not exist resolves to its longest existing prefix, and finally to line 1.
 */
export function yamlLines(text: string): LineLookup {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false });
  return (path) => {
    for (let end = path.length; end >= 0; end--) {
      const node: unknown = end === 0 ? doc.contents : doc.getIn(path.slice(0, end), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
}
