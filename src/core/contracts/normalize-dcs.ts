import { z } from "zod";
import {
  type Contract,
  type ContractColumn,
  type ContractDataset,
  type ContractRule,
  githubHandles,
  type Sla,
} from "./contract.js";
import { parseDuration } from "./diff-slas.js";
import { toRules, valueOptions } from "./normalize-odcs.js";
import { OdcsQualitySchema } from "./odcs-schema.js";
import type { LineLookup } from "./yaml-lines.js";

const Text = z.string({ error: "must be a string" });
const Bool = z.boolean({ error: "must be true or false (unquoted)" });

type DcsField = {
  type?: string | undefined;
  required?: boolean | undefined;
  unique?: boolean | undefined;
  primaryKey?: boolean | undefined;
  primary?: boolean | undefined;
  description?: string | undefined;
  enum?: (string | number | boolean)[] | undefined;
  classification?: string | undefined;
  config?: Record<string, unknown> | undefined;
  quality?: z.infer<typeof OdcsQualitySchema>[] | undefined;
  fields?: Record<string, DcsField> | undefined;
  [key: string]: unknown;
};

const DcsFieldSchema: z.ZodType<DcsField> = z.lazy(() =>
  z.looseObject({
    type: Text.optional(),
    required: Bool.optional(),
    unique: Bool.optional(),
    primaryKey: Bool.optional(),
    primary: Bool.optional().describe("DCS 0.9 name of primaryKey."),
    description: Text.optional(),
    enum: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
    classification: Text.optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    quality: z.array(OdcsQualitySchema).optional(),
    fields: z.record(z.string(), DcsFieldSchema).optional(),
  }),
);

const DcsModelSchema = z.looseObject({
  description: Text.optional(),
  type: Text.optional(),
  fields: z.record(z.string(), DcsFieldSchema).optional(),
  quality: z.union([z.array(OdcsQualitySchema), z.record(z.string(), z.unknown())]).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

const Level = z.looseObject({}).optional();

export const DcsContractSchema = z
  .looseObject({
    dataContractSpecification: z.union([Text, z.number()]).transform(String),
    id: Text.min(1, "a contract needs an id"),
    info: z.looseObject({
      title: Text.optional(),
      version: z.union([Text, z.number()]).transform(String),
      status: Text.optional(),
      owner: Text.optional(),
    }),
    models: z.record(z.string(), DcsModelSchema).optional(),
    servicelevels: z
      .looseObject({
        availability: Level,
        retention: Level,
        latency: Level,
        freshness: Level,
        frequency: Level,
      })
      .optional(),
  })
  .describe(
    "Data Contract Specification (datacontract.yaml, datacontract-cli) v1.x, as far as Backflow reads it.",
  );
export type DcsContract = z.infer<typeof DcsContractSchema>;

type Path = (string | number)[];

/**
 * Turns a Data Contract Specification contract (datacontract-cli's own format) into Backflow's
 * Contract: models → datasets, fields → columns (nested fields as `parent.child`), field constraints
 * (minLength, maximum, pattern, format, precision, …) and quality → rules, servicelevels → SLAs.
 * The physical type comes from the field's `config.<server>Type` (snowflakeType, bigqueryType, …).
 */
export function normalizeDcs(raw: DcsContract, file: string, lineAt: LineLookup): Contract {
  const datasets = Object.entries(raw.models ?? {}).map(([name, model]): ContractDataset => {
    const path: Path = ["models", name];
    const rules: ContractRule[] = Array.isArray(model.quality)
      ? model.quality.flatMap((q, k) => toRules(q, undefined, lineAt([...path, "quality", k])))
      : [];
    const columns: ContractColumn[] = [];
    collectFields(model.fields ?? {}, "", [...path, "fields"], { columns, rules, lineAt });
    const physical = model.config?.physicalName ?? model.config?.tableName;
    return {
      name,
      ...(typeof physical === "string" ? { physicalName: physical } : {}),
      tableId: "",
      description: model.description,
      line: lineAt(path),
      columns,
      rules,
    };
  });
  attachServiceLevels(raw, datasets, lineAt);
  return {
    id: raw.id,
    format: "dcs",
    file,
    version: raw.info.version,
    versionLine: lineAt(["info", "version"]),
    status: raw.info.status,
    datasets,
    owners: githubHandles([raw.info.owner]),
  };
}

function collectFields(
  fields: Record<string, DcsField>,
  prefix: string,
  path: Path,
  out: { columns: ContractColumn[]; rules: ContractRule[]; lineAt: LineLookup },
): void {
  for (const [name, field] of Object.entries(fields)) {
    const fieldPath = [...path, name];
    const full = `${prefix}${name}`;
    const primaryKey = field.primaryKey === true || field.primary === true;
    const physical = Object.entries(field.config ?? {}).find(
      ([k, v]) => /Type$/.test(k) && typeof v === "string",
    )?.[1];
    const line = out.lineAt(fieldPath);
    out.columns.push({
      name: full,
      type: field.type,
      ...(typeof physical === "string" ? { physicalType: physical } : {}),
      description: field.description,
      required: field.required === true || primaryKey,
      unique: field.unique === true || primaryKey,
      primaryKey,
      ...(field.enum ? { allowedValues: [...new Set(field.enum.map(String))] } : {}),
      ...valueOptions(field),
      classification: field.classification,
      ...(typeof field.config?.renamedFrom === "string" ? { renamedFrom: field.config.renamedFrom } : {}),
      line,
    });
    (field.quality ?? []).forEach((q, k) => {
      out.rules.push(...toRules(q, full, out.lineAt([...fieldPath, "quality", k])));
    });
    if (field.fields) collectFields(field.fields, `${full}.`, [...fieldPath, "fields"], out);
  }
}

const INTERVALS: Record<string, string> = {
  hourly: "PT1H",
  daily: "P1D",
  weekly: "P1W",
  monthly: "P1M",
  yearly: "P1Y",
};

/** DCS servicelevels: freshness (else latency) threshold → freshness; availability, retention, frequency → SLAs. */
function attachServiceLevels(raw: DcsContract, datasets: ContractDataset[], lineAt: LineLookup): void {
  const levels = (raw.servicelevels ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const threshold = levels.freshness?.threshold ?? levels.latency?.threshold;
  const seconds = typeof threshold === "string" ? parseDuration(threshold) : undefined;
  const slas: Sla[] = [];
  const add = (property: string, value: unknown) => {
    if (typeof value === "string" || typeof value === "number")
      slas.push({ property, value, line: lineAt(["servicelevels", property]) });
  };
  add("availability", levels.availability?.percentage);
  add("retention", levels.retention?.unlimited === true ? "unlimited" : levels.retention?.period);
  const interval = levels.frequency?.interval;
  add(
    "frequency",
    typeof interval === "string" ? (INTERVALS[interval.toLowerCase()] ?? interval) : levels.frequency?.cron,
  );
  const plain = typeof threshold === "string" ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(threshold) : null;
  for (const dataset of datasets) {
    if (seconds !== undefined) {
      dataset.freshness = {
        value: plain ? Number(plain[1]) : seconds,
        unit: plain ? (plain[2] ?? "s") : "s",
        line: lineAt(["servicelevels", levels.freshness?.threshold !== undefined ? "freshness" : "latency"]),
      };
    }
    if (slas.length > 0) dataset.slas = slas;
  }
}
