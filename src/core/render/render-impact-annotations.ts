import type { ImpactReport } from "../impact/impact-report.js";

/** A check run annotation, in the shape the Checks API takes. */
export type ImpactAnnotation = {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: "failure" | "warning" | "notice";
  readonly title: string;
  readonly message: string;
};

/** GitHub takes at most this many annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

function level(cls: string, severity: "warn" | "fail"): ImpactAnnotation["annotation_level"] {
  if (cls === "non-breaking") return "notice";
  return severity === "fail" ? "failure" : "warning";
}

function list(label: string, values: readonly string[], max = 10): string {
  if (values.length === 0) return "";
  const more = values.length > max ? ` and ${values.length - max} more` : "";
  return `\n${label}: ${values.slice(0, max).join(", ")}${more}`;
}

/**
 * One annotation per change on the line that makes it (plain text: GitHub does not render markdown
 * in annotations). Changes in files absent at head (deleted models) cannot be annotated.
 */
export function renderImpactAnnotations(
  report: ImpactReport,
  headPaths?: ReadonlySet<string>,
): ImpactAnnotation[] {
  const reach = (id: string) => {
    const mine = report.affected.filter((a) => a.causes.includes(id));
    const downstream = mine
      .filter((a) => !a.changed)
      .map((a) => (a.column ? `${a.table}.${a.column}` : a.table));
    return (
      list("Downstream", [...new Set(downstream)]) +
      list("Contracts", [...new Set(mine.flatMap((a) => a.contracts))]) +
      list("Owners", [...new Set(mine.flatMap((a) => a.owners))])
    );
  };
  const annotations: ImpactAnnotation[] = [
    ...report.changes
      .filter((c) => c.kind !== "table_removed")
      .map((c) => ({
        path: c.file,
        start_line: c.line,
        end_line: c.line,
        annotation_level: level(c.class, c.severity),
        title: `${c.class}: ${c.kind.replace(/_/g, " ")}`,
        message: `${c.message}${reach(c.id)}`,
      })),
    ...report.rowLevel.map((r) => ({
      path: r.file,
      start_line: r.line,
      end_line: r.line,
      annotation_level: "notice" as const,
      title: "row-level change",
      message: `${r.message}${reach(r.id)}`,
    })),
    ...report.contractChanges.map((c) => ({
      path: c.file,
      start_line: c.line ?? 1,
      end_line: c.line ?? 1,
      annotation_level: level(c.class, c.severity),
      title: `contract ${c.contractId}: ${c.kind.replace(/_/g, " ")}`,
      message: c.message,
    })),
  ];
  return headPaths ? annotations.filter((a) => headPaths.has(a.path)) : annotations;
}
