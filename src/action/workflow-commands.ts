import type { ImpactAnnotation } from "../core/render/render-impact-annotations.js";

/**
 * GitHub shows at most this many annotations of each level (error, warning, notice) per step; more
 * are dropped silently, so the Action prints these and says how many it left out.
 */
export const ANNOTATIONS_PER_LEVEL = 10;

const LEVEL = { failure: "error", warning: "warning", notice: "notice" } as const;

/** A workflow command's message: `%`, CR and LF escaped as the runner expects. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value: also `:` and `,`, which separate properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * The `::error file=…,line=…::message` lines for check run annotations, at most
 * `ANNOTATIONS_PER_LEVEL` per level, with paths under `prefix` (the pipeline directory inside the
 * checkout), and a notice saying how many were left out for the job summary.
 *
 * @example workflowAnnotations([{ path: "m.sql", start_line: 3, end_line: 3, annotation_level: "failure", title: "t", message: "m" }])
 * // ["::error file=m.sql,line=3,endLine=3,title=t::m"]
 */
export function workflowAnnotations(annotations: readonly ImpactAnnotation[], prefix = ""): string[] {
  const shown = { error: 0, warning: 0, notice: 0 };
  const lines: string[] = [];
  let left = 0;
  for (const a of annotations) {
    const level = LEVEL[a.annotation_level];
    if (shown[level] >= ANNOTATIONS_PER_LEVEL) {
      left++;
      continue;
    }
    shown[level]++;
    const props = [
      `file=${escapeProperty(`${prefix}${a.path}`)}`,
      `line=${a.start_line}`,
      `endLine=${a.end_line}`,
      `title=${escapeProperty(a.title)}`,
    ];
    lines.push(`::${level} ${props.join(",")}::${escapeData(a.message)}`);
  }
  if (left > 0)
    lines.push(
      `::notice title=Backflow::${left} more annotation(s) left out (GitHub shows ${ANNOTATIONS_PER_LEVEL} of each level per step); the job summary lists every change`,
    );
  return lines;
}
