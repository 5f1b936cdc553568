import picomatch from "picomatch";
import { z } from "zod";

const IsoDateTime = z.iso.datetime({ offset: true });

export const AnnotationSchema = z
  .strictObject({
    id: z.string().min(1),
    repo: z.string().min(1).describe("owner/name of the pipeline repository."),
    dataset: z.string().min(1).describe("Lineage table id or glob, e.g. `orders` or `marts.*`."),
    kind: z.enum(["seasonality", "policy", "event", "maintenance"]),
    from: IsoDateTime.optional().describe("Start of the window; absent means since always."),
    to: IsoDateTime.optional().describe("End of the window; absent means open-ended."),
    note: z.string().max(2000),
    author: z.string().min(1),
    createdAt: IsoDateTime,
  })
  .refine((a) => !a.from || !a.to || Date.parse(a.from) <= Date.parse(a.to), {
    message: "`from` must not be after `to`",
    path: ["to"],
  })
  .describe("Analyst context on a dataset and time window that changes how signals are judged.");
export type Annotation = z.infer<typeof AnnotationSchema>;

/**
 * The annotations whose dataset pattern covers `tableId` and whose window contains `observedAt`
 * (bounds inclusive; a missing bound is open). A breach covered by one is expected.
 */
export function applicableAnnotations(
  annotations: readonly Annotation[],
  tableId: string,
  observedAt: string,
): Annotation[] {
  const t = Date.parse(observedAt);
  return annotations.filter((a) => {
    const inWindow = (!a.from || Date.parse(a.from) <= t) && (!a.to || t <= Date.parse(a.to));
    return inWindow && picomatch.isMatch(tableId, a.dataset, { nocase: true, dot: true });
  });
}
