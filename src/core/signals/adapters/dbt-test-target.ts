import { z } from "zod";

/** The parts of manifest.json (v12, and older) that name what a test is attached to. */
export const ManifestSchema = z.object({
  nodes: z.record(
    z.string(),
    z.object({
      name: z.string().nullish(),
      attached_node: z.string().nullish(),
      column_name: z.string().nullish(),
      test_metadata: z.object({ name: z.string().nullish(), namespace: z.string().nullish() }).nullish(),
      depends_on: z.object({ nodes: z.array(z.string()).nullish() }).nullish(),
      relation_name: z.string().nullish(),
      schema: z.string().nullish(),
      alias: z.string().nullish(),
    }),
  ),
  sources: z
    .record(
      z.string(),
      z.object({
        name: z.string().nullish(),
        source_name: z.string().nullish(),
        relation_name: z.string().nullish(),
        schema: z.string().nullish(),
        identifier: z.string().nullish(),
      }),
    )
    .nullish(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export type TestTarget = {
  readonly datasetName: string;
  readonly dbtUniqueId?: string;
  readonly column?: string;
  readonly testType: string;
  /** True when the model and column were guessed from names rather than read from the manifest. */
  readonly guessed: boolean;
};

const GENERIC_TESTS = ["not_null", "unique", "accepted_values", "relationships"];
const TESTABLE = /^(model|source|seed|snapshot)\./;

/** `"db"."schema"."orders"` or `` `p`.`d`.`t` `` → `db.schema.orders`. */
export function unquoteRelation(relation: string): string {
  return relation.replace(/["`[\]]/g, "").toLowerCase();
}

function relationOf(id: string, manifest: Manifest): string {
  const node = manifest.nodes[id];
  if (node)
    return unquoteRelation(
      node.relation_name ?? [node.schema, node.alias ?? node.name].filter(Boolean).join("."),
    );
  const source = manifest.sources?.[id];
  if (source) {
    return unquoteRelation(
      source.relation_name ?? [source.schema, source.identifier ?? source.name].filter(Boolean).join("."),
    );
  }
  return id.split(".").slice(2).join(".");
}

/** Reads a test's model and column from the manifest; undefined when the manifest does not know it. */
export function targetFromManifest(uniqueId: string, manifest: Manifest): TestTarget | undefined {
  const test = manifest.nodes[uniqueId];
  if (!test) return undefined;
  const attached = test.attached_node ?? test.depends_on?.nodes?.find((n) => TESTABLE.test(n));
  if (!attached) return undefined;
  const name = relationOf(attached, manifest);
  return {
    datasetName: name || attached,
    dbtUniqueId: attached,
    column: test.column_name ?? undefined,
    testType: test.test_metadata?.name ?? test.name ?? uniqueId.split(".")[2] ?? uniqueId,
    guessed: false,
  };
}

/**
 * Best effort without a manifest: `test.shop.not_null_orders_customer_id.5c1e` names the test type and
 * `orders_customer_id`, which cannot be split reliably; the compiled SQL's `from <relation>` tells
 * where the model name ends. Without it the whole remainder is the dataset name.
 */
export function targetFromName(uniqueId: string, compiledCode?: string | null): TestTarget {
  const name = uniqueId.split(".")[2] ?? uniqueId;
  const bare = name.replace(/^source_/, "");
  const testType = GENERIC_TESTS.find((t) => bare.startsWith(`${t}_`)) ?? name;
  const remainder = testType === name ? "" : (bare.slice(testType.length + 1).split("__")[0] ?? "");
  const from = compiledCode
    ? /\bfrom\s+((?:[`"[]?[\w$-]+[`"\]]?\.){0,2}[`"[]?[\w$-]+[`"\]]?)/i.exec(compiledCode)
    : null;
  const relation = from?.[1] ? unquoteRelation(from[1]) : undefined;
  const table = relation?.split(".").pop();
  if (relation && table && remainder.startsWith(`${table}_`)) {
    return { datasetName: relation, column: remainder.slice(table.length + 1), testType, guessed: true };
  }
  if (relation && testType === name) return { datasetName: relation, testType, guessed: true };
  return { datasetName: remainder || relation || name, testType, guessed: true };
}
