import {
  type Contract,
  type ContractColumn,
  type ContractDataset,
  type ContractRule,
  type Freshness,
  githubHandles,
} from "./contract.js";
import { customProperty, type OdcsContract, type OdcsQuality, type OdcsSchemaObject } from "./odcs-schema.js";
import type { LineLookup } from "./yaml-lines.js";

type Path = (string | number)[];

/** ODCS operators in the order Backflow reads them; ODCS allows one per rule. */
const OPERATORS = [
  "mustBe",
  "mustNotBe",
  "mustBeGreaterThan",
  "mustBeGreaterOrEqualTo",
  "mustBeGreaterThanOrEqualTo",
  "mustBeLessThan",
  "mustBeLessOrEqualTo",
  "mustBeLessThanOrEqualTo",
  "mustBeBetween",
  "mustNotBeBetween",
] as const;

/** Older spellings mapped onto the ODCS 3.1 ones, so a rename of the key alone is not a change. */
const OPERATOR_ALIASES: Record<string, string> = {
  mustBeGreaterThanOrEqualTo: "mustBeGreaterOrEqualTo",
  mustBeLessThanOrEqualTo: "mustBeLessOrEqualTo",
};

/** Turns a validated ODCS contract into Backflow's format-independent Contract (tableId unbound yet). */
export function normalizeOdcs(raw: OdcsContract, file: string, lineAt: LineLookup): Contract {
  const objects = raw.schema ?? [];
  const contractHint =
    stringProperty(customProperty(raw.customProperties, "backflowTable")) ??
    stringProperty(customProperty(raw.customProperties, "dbtModel"));
  const datasets = objects.map((object, i) =>
    normalizeObject(object, ["schema", i], lineAt, objects.length === 1 ? contractHint : undefined),
  );
  attachFreshness(raw, datasets, lineAt);
  return {
    id: raw.id,
    format: "odcs",
    file,
    version: raw.version,
    versionLine: lineAt(["version"]),
    status: raw.status,
    datasets,
    owners: ownersOf(raw),
  };
}

function normalizeObject(
  object: OdcsSchemaObject,
  path: Path,
  lineAt: LineLookup,
  contractHint: string | undefined,
): ContractDataset {
  const columns: ContractColumn[] = [];
  const rules: ContractRule[] = (object.quality ?? []).flatMap((q, k) =>
    toRules(q, undefined, lineAt([...path, "quality", k])),
  );
  (object.properties ?? []).forEach((property, j) => {
    const propertyPath = [...path, "properties", j];
    const quality = property.quality ?? [];
    const allowed = quality.flatMap((q) => q.arguments?.validValues ?? q.validValues ?? []).map(String);
    const options = property.logicalTypeOptions;
    columns.push({
      name: property.name,
      type: property.logicalType,
      physicalType: property.physicalType,
      description: property.description,
      required: property.required === true || property.primaryKey === true,
      unique: property.unique === true || property.primaryKey === true,
      primaryKey: property.primaryKey === true,
      allowedValues: allowed.length > 0 ? [...new Set(allowed)] : undefined,
      ...valueOptions({ precision: property.precision, scale: property.scale, ...(options ?? {}) }),
      classification: property.classification,
      renamedFrom:
        stringProperty(customProperty(property.customProperties, "renamedFrom")) ??
        stringProperty(customProperty(property.customProperties, "previousName")),
      line: lineAt(propertyPath),
    });
    quality.forEach((q, k) => {
      rules.push(...toRules(q, property.name, lineAt([...propertyPath, "quality", k])));
    });
  });
  const hint =
    stringProperty(customProperty(object.customProperties, "backflowTable")) ??
    stringProperty(customProperty(object.customProperties, "dbtModel")) ??
    contractHint;
  return {
    name: object.name,
    physicalName: object.physicalName,
    tableId: "",
    bindingHint: hint,
    description: object.description,
    line: lineAt(path),
    columns,
    rules,
  };
}

type ValueOptions = Pick<
  ContractColumn,
  | "minimum"
  | "maximum"
  | "exclusiveMinimum"
  | "exclusiveMaximum"
  | "minLength"
  | "maxLength"
  | "pattern"
  | "format"
  | "precision"
  | "scale"
>;

/**
 * Value constraints written as ODCS logicalTypeOptions or DCS field keys. `exclusiveMinimum: true`
 * (ODCS 3.0, JSON Schema draft 4) makes `minimum` open; a number (ODCS 3.1, DCS) is the open bound.
 */
export function valueOptions(o: Readonly<Record<string, unknown>>): ValueOptions {
  const num = (v: unknown) =>
    typeof v === "number"
      ? v
      : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
        ? Number(v)
        : undefined;
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const open = (flag: unknown, closed: number | undefined) =>
    flag === true ? closed : flag === false ? undefined : num(flag);
  const minimum = num(o.minimum);
  const maximum = num(o.maximum);
  const options: ValueOptions = {
    minimum: o.exclusiveMinimum === true ? undefined : minimum,
    maximum: o.exclusiveMaximum === true ? undefined : maximum,
    exclusiveMinimum: open(o.exclusiveMinimum, minimum),
    exclusiveMaximum: open(o.exclusiveMaximum, maximum),
    minLength: num(o.minLength),
    maxLength: num(o.maxLength),
    pattern: text(o.pattern),
    format: text(o.format),
    precision: num(o.precision),
    scale: num(o.scale),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ValueOptions;
}

/** One quality item → zero or one rule. Free-text rules only document and are not compared. */
export function toRules(q: OdcsQuality, column: string | undefined, line: number): ContractRule[] {
  const type = q.type ?? (q.query ? "sql" : q.engine ? "custom" : "library");
  if (type === "text") return [];
  const operator = OPERATORS.find((op) => q[op] !== undefined);
  const value = operator ? q[operator] : undefined;
  const { validValues: _ignored, ...args } = q.arguments ?? {};
  if (q.query !== undefined) args.query = q.query;
  if (type === "custom") args.implementation = q.implementation;
  if (q.unit !== undefined) args.unit = q.unit;
  const metric =
    type === "library" ? (q.metric ?? q.rule ?? "custom") : type === "sql" ? "sql" : (q.engine ?? "custom");
  return [
    {
      id: q.id,
      column,
      metric,
      operator: operator ? (OPERATOR_ALIASES[operator] ?? operator) : "passes",
      value: typeof value === "boolean" ? String(value) : (value ?? ""),
      arguments: Object.keys(args).length > 0 ? args : undefined,
      severity: q.severity,
      line,
    },
  ];
}

/** SLA properties Backflow compares, besides latency (freshness). */
const COMPARED_SLAS = new Set(["availability", "retention", "frequency", "throughput", "errorrate"]);

/**
 * The latency (or legacy freshness) SLA becomes the freshness; availability, retention, frequency,
 * throughput and errorRate are kept to be compared. Each goes to the dataset its `element` names,
 * else to every dataset.
 */
function attachFreshness(raw: OdcsContract, datasets: ContractDataset[], lineAt: LineLookup): void {
  (raw.slaProperties ?? []).forEach((sla, n) => {
    const property = sla.property.toLowerCase();
    const table = sla.element?.includes(".") ? sla.element.split(".")[0]?.toLowerCase() : undefined;
    const named = datasets.filter(
      (d) =>
        table !== undefined && (d.name.toLowerCase() === table || d.physicalName?.toLowerCase() === table),
    );
    const targets = named.length > 0 ? named : datasets;
    const line = lineAt(["slaProperties", n]);
    if (COMPARED_SLAS.has(property)) {
      for (const dataset of targets) {
        dataset.slas = [
          ...(dataset.slas ?? []),
          {
            property,
            value: sla.value === true || sla.value === false ? String(sla.value) : sla.value,
            ...(sla.unit ? { unit: sla.unit } : {}),
            line,
          },
        ];
      }
      return;
    }
    if (property !== "latency" && property !== "freshness") return;
    const value = Number(sla.value);
    if (!Number.isFinite(value)) return;
    const freshness: Freshness = { value, unit: sla.unit ?? "d", element: sla.element, line };
    for (const dataset of targets) {
      if (property === "latency" || dataset.freshness === undefined) dataset.freshness = freshness;
    }
  });
}

/** Team members whose role mentions "owner"; when no role says so, every member. Only GitHub handles count. */
function ownersOf(raw: OdcsContract): string[] {
  const members = Array.isArray(raw.team) ? raw.team : (raw.team?.members ?? []);
  const owners = members.filter((m) => /owner/i.test(m.role ?? ""));
  return githubHandles((owners.length > 0 ? owners : members).map((m) => m.username));
}

function stringProperty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
