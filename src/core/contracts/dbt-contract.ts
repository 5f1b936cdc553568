import { z } from "zod";
import { describeZodIssues } from "../config/parse-config.js";
import {
  type Contract,
  type ContractColumn,
  type ContractDiagnostic,
  type ContractRule,
  githubHandles,
} from "./contract.js";
import type { ModelConfigLookup } from "./dbt-model-config.js";
import { logicalTypeOf } from "./type-lattice.js";
import type { LineLookup } from "./yaml-lines.js";

const Constraint = z.looseObject({
  type: z.string({ error: "a constraint needs a type (not_null, unique, primary_key, …)" }),
  expression: z.string().optional(),
  columns: z.array(z.string()).optional(),
  to: z.string().optional(),
  to_columns: z.array(z.string()).optional(),
});
const Test = z.union([z.string(), z.record(z.string(), z.unknown())]);
const Meta = z.looseObject({ owner: z.union([z.string(), z.array(z.string())]).optional() });

const DbtColumn = z.looseObject({
  name: z.string({ error: "a column needs a name" }),
  data_type: z.string().optional(),
  description: z.string().optional(),
  constraints: z.array(Constraint).optional(),
  data_tests: z.array(Test).optional(),
  tests: z.array(Test).optional(),
  meta: z.looseObject({ renamed_from: z.string().optional() }).optional(),
});
type DbtColumn = z.infer<typeof DbtColumn>;

const DbtConfig = z.looseObject({
  contract: z.looseObject({ enforced: z.boolean().optional() }).optional(),
  meta: Meta.optional(),
  enabled: z.boolean().optional(),
  materialized: z.string().optional(),
});

/** A `columns:` entry of a model version: a column, or an include/exclude of the model's columns. */
const VersionColumn = z.union([
  z.looseObject({
    include: z.union([z.string(), z.array(z.string())]).optional(),
    exclude: z.array(z.string()).optional(),
    name: z.undefined().optional(),
  }),
  DbtColumn,
]);

const DbtVersion = z.looseObject({
  v: z.union([z.number(), z.string()], { error: "a model version needs `v:`" }),
  defined_in: z.string().optional(),
  description: z.string().optional(),
  config: DbtConfig.optional(),
  constraints: z.array(Constraint).optional(),
  columns: z.array(VersionColumn).optional(),
  data_tests: z.array(Test).optional(),
  tests: z.array(Test).optional(),
});
type DbtVersion = z.infer<typeof DbtVersion>;

const DbtModel = z.looseObject({
  name: z.string({ error: "a model needs a name" }),
  description: z.string().optional(),
  config: DbtConfig.optional(),
  meta: Meta.optional(),
  constraints: z.array(Constraint).optional(),
  columns: z.array(DbtColumn).optional(),
  data_tests: z.array(Test).optional(),
  tests: z.array(Test).optional(),
  latest_version: z.union([z.number(), z.string()]).optional(),
  versions: z.array(DbtVersion).optional(),
});
type DbtModel = z.infer<typeof DbtModel>;

/** True when a parsed YAML value looks like dbt properties (`models:` list) rather than an ODCS contract. */
export function isDbtProperties(value: unknown): boolean {
  return typeof value === "object" && value !== null && Array.isArray((value as { models?: unknown }).models);
}

export type DbtContracts = { contracts: Contract[]; diagnostics: ContractDiagnostic[]; disabled: Contract[] };

type Reader = {
  readonly file: string;
  readonly lineAt: LineLookup;
  readonly diagnostics: ContractDiagnostic[];
  /** A model's `config()` and dbt_project.yml defaults, by model name. */
  readonly modelConfig?: ModelConfigLookup;
};

/**
 * Reads the models with an enforced contract (`config: {contract: {enforced: true}}`) from a dbt
 * properties YAML, one contract per model version (`versions:`, id `<model>.v<n>`). Constraints make
 * guarantees: not_null → required, unique → unique, primary_key → all three; other constraints become
 * rules. Tests only check: not_null/unique tests are listed as `tested`, accepted_values gives allowed
 * values, other tests become rules. Disabled models (`enabled: false`) are returned apart.
 */
export function readDbtContracts(
  value: unknown,
  file: string,
  lineAt: LineLookup,
  modelConfig?: ModelConfigLookup,
): DbtContracts {
  const reader: Reader = { file, lineAt, diagnostics: [], ...(modelConfig ? { modelConfig } : {}) };
  const contracts: Contract[] = [];
  const disabled: Contract[] = [];
  const models: unknown[] = isDbtProperties(value) ? (value as { models: unknown[] }).models : [];
  models.forEach((entry, i) => {
    const config = (entry as { config?: { contract?: { enforced?: unknown } } } | null)?.config;
    const versions = (entry as { versions?: unknown } | null)?.versions;
    const anyEnforced =
      config?.contract?.enforced === true ||
      (Array.isArray(versions) &&
        versions.some(
          (v) =>
            (v as { config?: { contract?: { enforced?: unknown } } } | null)?.config?.contract?.enforced ===
            true,
        ));
    if (!anyEnforced) return;
    const parsed = DbtModel.safeParse(entry);
    if (!parsed.success) {
      for (const problem of describeZodIssues(parsed.error.issues)) {
        const path = ["models", i, ...problem.path.split(".").filter((p) => p !== "")];
        reader.diagnostics.push({
          file,
          line: lineAt(path.map((p) => (/^\d+$/.test(String(p)) ? Number(p) : p))),
          severity: "error",
          path: path.join("."),
          message: problem.message,
        });
      }
      return;
    }
    for (const { contract, enabled } of modelContracts(parsed.data, ["models", i], reader)) {
      (enabled ? contracts : disabled).push(contract);
    }
  });
  return { contracts, diagnostics: reader.diagnostics, disabled };
}

/** One contract per enforced version (or one for an unversioned model), with whether it is enabled. */
function modelContracts(
  model: DbtModel,
  path: (string | number)[],
  reader: Reader,
): { contract: Contract; enabled: boolean }[] {
  if (!model.versions || model.versions.length === 0) {
    if (model.config?.contract?.enforced !== true) return [];
    const { sql, project } = reader.modelConfig?.(model.name) ?? { sql: {}, project: {} };
    const enabled = sql.enabled ?? model.config?.enabled ?? project.enabled ?? true;
    const materialized = sql.materialized ?? model.config?.materialized ?? project.materialized;
    return [{ contract: toContract(model, model.columns ?? [], path, reader, { materialized }), enabled }];
  }
  const latest = String(model.latest_version ?? maxVersion(model.versions));
  return model.versions.flatMap((version, k) => {
    const config = { ...model.config, ...version.config };
    if (config.contract?.enforced !== true) return [];
    const v = String(version.v);
    const definedIn = version.defined_in ?? `${model.name}_v${v}`;
    const { sql, project } = reader.modelConfig?.(definedIn) ?? { sql: {}, project: {} };
    const enabled = sql.enabled ?? config.enabled ?? project.enabled ?? true;
    const materialized = sql.materialized ?? config.materialized ?? project.materialized;
    const columns = versionColumns(model.columns ?? [], version);
    const contract = toContract(
      { ...model, constraints: [...(model.constraints ?? []), ...(version.constraints ?? [])] },
      columns.map((c) => c.column),
      path,
      reader,
      {
        materialized,
        version: v,
        latest,
        definedIn,
        versionPath: [...path, "versions", k],
        columnPaths: columns.map((c) => c.path),
      },
    );
    return [{ contract, enabled }];
  });
}

function maxVersion(versions: readonly DbtVersion[]): string {
  const numbers = versions.map((v) => Number(v.v)).filter(Number.isFinite);
  return numbers.length > 0 ? String(Math.max(...numbers)) : String(versions.at(-1)?.v ?? "");
}

/** A version's columns, dbt's way: the model's columns filtered by include/exclude, then its own. */
function versionColumns(
  base: readonly DbtColumn[],
  version: DbtVersion,
): { column: DbtColumn; path?: (string | number)[] }[] {
  const entries = version.columns;
  if (!entries) return base.map((column) => ({ column }));
  const filter = entries.find((e) => e.name === undefined && ("include" in e || "exclude" in e)) as
    | { include?: string | string[]; exclude?: string[] }
    | undefined;
  const include = filter?.include ?? "all";
  const lower = (names: readonly string[]) => names.map((n) => n.toLowerCase());
  const included =
    include === "all" || include === "*"
      ? base
      : base.filter((c) => lower([include].flat()).includes(c.name.toLowerCase()));
  const excluded = lower(filter?.exclude ?? []);
  const own = entries.flatMap((e, j) =>
    typeof e.name === "string"
      ? [{ column: e as DbtColumn, path: ["columns", j] as (string | number)[] }]
      : [],
  );
  const ownNames = lower(own.map((o) => o.column.name));
  const inherited = (entries.some((e) => e.name === undefined) ? included : base)
    .filter((c) => !excluded.includes(c.name.toLowerCase()) && !ownNames.includes(c.name.toLowerCase()))
    .map((column) => ({ column }));
  return [...inherited, ...own];
}

type ContractFacts = {
  materialized?: string | undefined;
  version?: string;
  latest?: string;
  definedIn?: string;
  versionPath?: (string | number)[];
  columnPaths?: ((string | number)[] | undefined)[];
};

function toContract(
  model: DbtModel,
  dbtColumns: readonly DbtColumn[],
  path: (string | number)[],
  reader: Reader,
  facts: ContractFacts,
): Contract {
  const { file, lineAt, diagnostics } = reader;
  const rules: ContractRule[] = [];
  const id = facts.version === undefined ? model.name : `${model.name}.v${facts.version}`;
  const columns = dbtColumns.map((column, j): ContractColumn => {
    const own = facts.columnPaths?.[j];
    const columnPath =
      own && facts.versionPath
        ? [...facts.versionPath, ...own]
        : [...path, "columns", Math.max(0, (model.columns ?? []).indexOf(column))];
    const line = lineAt(columnPath);
    if (column.data_type === undefined) {
      diagnostics.push({
        file,
        line,
        severity: "warning",
        path: [...columnPath, "data_type"].join("."),
        message: `column "${column.name}" of enforced contract "${id}" has no data_type; dbt requires one`,
      });
    }
    const result: ContractColumn = {
      name: column.name,
      type: column.data_type ? logicalTypeOf(column.data_type) : undefined,
      physicalType: column.data_type,
      description: column.description,
      required: false,
      unique: false,
      primaryKey: false,
      ...(column.meta?.renamed_from ? { renamedFrom: column.meta.renamed_from } : {}),
      line,
    };
    for (const constraint of column.constraints ?? []) applyConstraint(result, constraint, rules, line);
    for (const test of [...(column.data_tests ?? []), ...(column.tests ?? [])])
      applyTest(result, test, rules, line);
    return result;
  });
  for (const constraint of model.constraints ?? []) {
    const line = lineAt([...path, "constraints"]);
    const targets = columns.filter((c) =>
      constraint.columns?.some((n) => n.toLowerCase() === c.name.toLowerCase()),
    );
    if (targets.length === 0) rules.push(constraintRule(constraint, undefined, line));
    for (const target of targets) applyConstraint(target, constraint, rules, line);
  }
  for (const test of [...(model.data_tests ?? []), ...(model.tests ?? [])]) {
    applyTest(undefined, test, rules, lineAt([...path, model.data_tests ? "data_tests" : "tests"]));
  }
  const owner = model.config?.meta?.owner ?? model.meta?.owner;
  const enforcesConstraints =
    (model.constraints ?? []).length > 0 || dbtColumns.some((c) => (c.constraints ?? []).length > 0);
  return {
    id,
    format: "dbt",
    file,
    datasets: [
      {
        name: model.name,
        tableId: "",
        ...(facts.definedIn ? { bindingHint: facts.definedIn } : {}),
        description: model.description,
        line: lineAt(facts.versionPath ?? path),
        columns,
        rules,
      },
    ],
    owners: githubHandles(owner === undefined ? [] : [owner].flat()),
    dbt: {
      model: model.name,
      ...(facts.version === undefined ? {} : { version: facts.version }),
      ...(facts.latest === undefined ? {} : { latestVersion: facts.latest }),
      ...(facts.materialized ? { materialized: facts.materialized.toLowerCase() } : {}),
      enforcesConstraints,
    },
  };
}

type Constraint = z.infer<typeof Constraint>;

function applyConstraint(column: ContractColumn, c: Constraint, rules: ContractRule[], line: number): void {
  if (c.type === "not_null") column.required = true;
  else if (c.type === "unique") column.unique = true;
  else if (c.type === "primary_key")
    Object.assign(column, { required: true, unique: true, primaryKey: true });
  else rules.push(constraintRule(c, column.name, line));
}

function constraintRule(c: Constraint, column: string | undefined, line: number): ContractRule {
  const target = c.to ? `${c.to}(${(c.to_columns ?? []).join(", ")})` : "";
  return { column, metric: c.type, operator: "constraint", value: c.expression ?? target, line };
}

/** dbt tests are a name, or a one-key map of name → arguments (dbt ≥1.10 nests them under `arguments`). */
function applyTest(
  column: ContractColumn | undefined,
  test: unknown,
  rules: ContractRule[],
  line: number,
): void {
  const [name, rawArgs] =
    typeof test === "string" ? [test, {}] : (Object.entries(test as object)[0] ?? ["", {}]);
  const args = isRecord(rawArgs)
    ? { ...rawArgs, ...(isRecord(rawArgs.arguments) ? rawArgs.arguments : {}) }
    : {};
  delete args.arguments;
  if (column && (name === "not_null" || name === "unique")) {
    // A test checks after the build; only a constraint is a guarantee (see diffFlags).
    column.tested = [...new Set([...(column.tested ?? []), name])];
  } else if (column && name === "accepted_values" && Array.isArray(args.values)) {
    column.allowedValues = [...new Set([...(column.allowedValues ?? []), ...args.values.map(String)])];
  } else if (name !== "") {
    rules.push({
      column: column?.name,
      metric: name,
      operator: "passes",
      value: "",
      arguments: Object.keys(args).length > 0 ? args : undefined,
      line,
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
