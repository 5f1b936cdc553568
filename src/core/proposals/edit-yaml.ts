import { type Document, parseDocument, type ToStringOptions } from "yaml";
import { applyHunks } from "./apply-hunks.js";
import { diffLines, hunksOf, splitLines } from "./unified-diff.js";

/** Printing options that reproduce the original's style: sequence indentation, flow padding, no re-wrapping. */
function styleOf(text: string): ToStringOptions {
  const unindentedSeq = /^([ \t]*)[\w"'-][^\n]*:[ \t]*\n\1- /m.test(text);
  const paddedFlow = /\[ [^\]\n]+ \]|\{ [^}\n]+ \}/.test(text);
  return { lineWidth: 0, minContentWidth: 0, indentSeq: !unindentedSeq, flowCollectionPadding: paddedFlow };
}

/**
 * Edits a YAML text through yaml's Document API and returns the new text with the original's comments,
 * key order and formatting: the change between the document printed before and after the edit is
 * applied to the original text as a patch, so lines the edit did not touch are kept byte for byte.
 * @example editYaml(text, (doc) => doc.setIn(["version"], "1.3.0"))
 */
export function editYaml(text: string, mutate: (doc: Document) => void): string {
  const options = styleOf(text);
  const doc = parseDocument(text, { keepSourceTokens: false });
  const printedBefore = doc.toString(options);
  mutate(doc);
  const printedAfter = doc.toString(options);
  if (printedBefore === printedAfter) return text;
  if (printedBefore === text) return printedAfter;
  const hunks = hunksOf(diffLines(splitLines(printedBefore), splitLines(printedAfter)), 1);
  const applied = applyHunks(text, hunks);
  return applied.ok ? applied.text : printedAfter;
}
