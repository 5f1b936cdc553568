import { z } from "zod";

/**
 * The part of Open Data Contract Standard v3 (3.0.x and 3.1.0) that Backflow reads.
 * Every object is loose: fields Backflow does not use are kept as written, never dropped,
 * so a contract can be round-tripped or shown to a person unchanged.
 */
const Num = z.number({ error: "must be a number" });
const Text = z.string({ error: "must be a string" });
const Bool = z.boolean({ error: "must be true or false (unquoted)" });
const Scalar = z.union([z.number(), z.string(), z.boolean()], {
  error: "must be a number, string or boolean",
});

export const OdcsQualitySchema = z.looseObject({
  id: Text.optional(),
  name: Text.optional(),
  type: z.enum(["text", "library", "sql", "custom"]).optional(),
  metric: Text.optional(),
  rule: Text.optional().describe("ODCS 3.0 name of `metric`."),
  query: Text.optional(),
  engine: Text.optional(),
  dimension: Text.optional(),
  severity: Text.optional(),
  unit: Text.optional(),
  arguments: z.looseObject({ validValues: z.array(Scalar).optional() }).optional(),
  validValues: z.array(Scalar).optional().describe("ODCS 3.0 place of the accepted values."),
  mustBe: Scalar.optional(),
  mustNotBe: Scalar.optional(),
  mustBeGreaterThan: Num.optional(),
  mustBeGreaterOrEqualTo: Num.optional(),
  mustBeGreaterThanOrEqualTo: Num.optional(),
  mustBeLessThan: Num.optional(),
  mustBeLessOrEqualTo: Num.optional(),
  mustBeLessThanOrEqualTo: Num.optional(),
  mustBeBetween: z.tuple([Num, Num], { error: "must be a [low, high] pair" }).optional(),
  mustNotBeBetween: z.tuple([Num, Num], { error: "must be a [low, high] pair" }).optional(),
});
export type OdcsQuality = z.infer<typeof OdcsQualitySchema>;

const CustomPropertiesSchema = z.union([
  z.array(z.looseObject({ property: Text, value: z.unknown() })),
  z.record(z.string(), z.unknown()),
]);

export const OdcsPropertySchema = z.looseObject({
  id: Text.optional(),
  name: Text,
  logicalType: Text.optional(),
  physicalType: Text.optional(),
  physicalName: Text.optional(),
  description: Text.optional(),
  required: Bool.optional(),
  unique: Bool.optional(),
  primaryKey: Bool.optional(),
  primaryKeyPosition: z.number().int().optional(),
  classification: Text.optional(),
  logicalTypeOptions: z
    .looseObject({
      minimum: Scalar.optional(),
      maximum: Scalar.optional(),
      exclusiveMinimum: Scalar.optional().describe(
        "ODCS 3.0: a boolean on `minimum`; later: the open bound.",
      ),
      exclusiveMaximum: Scalar.optional(),
      minLength: Scalar.optional(),
      maxLength: Scalar.optional(),
      pattern: Text.optional(),
      format: Text.optional(),
      precision: Scalar.optional(),
      scale: Scalar.optional(),
    })
    .optional(),
  quality: z.array(OdcsQualitySchema).optional(),
  customProperties: CustomPropertiesSchema.optional(),
});
export type OdcsProperty = z.infer<typeof OdcsPropertySchema>;

export const OdcsSchemaObjectSchema = z.looseObject({
  id: Text.optional(),
  name: Text,
  physicalName: Text.optional(),
  physicalType: Text.optional(),
  logicalType: Text.optional(),
  description: Text.optional(),
  properties: z.array(OdcsPropertySchema).optional(),
  quality: z.array(OdcsQualitySchema).optional(),
  customProperties: CustomPropertiesSchema.optional(),
});
export type OdcsSchemaObject = z.infer<typeof OdcsSchemaObjectSchema>;

export const OdcsSlaPropertySchema = z.looseObject({
  id: Text.optional(),
  property: Text,
  value: Scalar,
  unit: Text.optional(),
  element: Text.optional(),
});

const MemberSchema = z.looseObject({
  username: Text.optional(),
  name: Text.optional(),
  role: Text.optional(),
});

export const OdcsContractSchema = z
  .looseObject({
    apiVersion: Text.regex(/^v3\.\d+\.\d+$/, "Backflow reads ODCS v3 (e.g. v3.1.0); upgrade older contracts"),
    kind: z.literal("DataContract", { error: 'must be "DataContract"' }),
    id: Text.min(1, "a contract needs an id"),
    version: z.union([Text, Num]).transform(String),
    status: Text,
    name: Text.optional(),
    domain: Text.optional(),
    schema: z.array(OdcsSchemaObjectSchema).optional(),
    slaProperties: z.array(OdcsSlaPropertySchema).optional(),
    team: z
      .union([
        z.array(MemberSchema),
        z.looseObject({ name: Text.optional(), members: z.array(MemberSchema).optional() }),
      ])
      .optional(),
    roles: z.array(z.looseObject({ role: Text.optional() })).optional(),
    customProperties: CustomPropertiesSchema.optional(),
  })
  .describe("Open Data Contract Standard v3 contract, as far as Backflow reads it.");
export type OdcsContract = z.infer<typeof OdcsContractSchema>;

/** Reads ODCS customProperties in both forms (a list of {property, value}, or a plain map). */
export function customProperty(props: OdcsContract["customProperties"], key: string): unknown {
  if (props === undefined) return undefined;
  if (Array.isArray(props)) return props.find((p) => p.property === key)?.value;
  return props[key];
}
