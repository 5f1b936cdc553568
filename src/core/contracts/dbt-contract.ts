import { z } from "zod";
import { describeZodIssues } from "../config/parse-config.js";
import {
  type Contract,
  type ContractColumn,
  type ContractDiagnostic,
  type ContractRule,
  githubHandles,
} from "./contract.js";
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
});

const DbtModel = z.looseObject({
  name: z.string({ error: "a model needs a name" }),
  description: z.string().optional(),
  config: z
    .looseObject({
      contract: z.looseObject({ enforced: z.boolean().optional() }).optional(),
      meta: Meta.optional(),
    })
    .optional(),
  meta: Meta.optional(),
  constraints: z.array(Constraint).optional(),
  columns: z.array(DbtColumn).optional(),
  data_tests: z.array(Test).optional(),
  tests: z.array(Test).optional(),
});
type DbtModel = z.infer<typeof DbtModel>;

/** True when a parsed YAML value looks like dbt properties (`models:` list) rather than an ODCS contract. */
export function isDbtProperties(value: unknown): boolean {
  return typeof value === "object" && value !== null && Array.isArray((value as { models?: unknown }).models);
}

/**
 * Reads the models with an enforced contract (`config: {contract: {enforced: true}}`) from a dbt
 * properties YAML. dbt constraints and tests become column flags: not_null → required, unique →
 * unique, primary_key → all three, accepted_values → allowed values; other tests and checks → rules.
 */
export function readDbtContracts(
  value: unknown,
  file: string,
  lineAt: LineLookup,
): { contracts: Contract[]; diagnostics: ContractDiagnostic[] } {
  const contracts: Contract[] = [];
  const diagnostics: ContractDiagnostic[] = [];
  const models: unknown[] = isDbtProperties(value) ? (value as { models: unknown[] }).models : [];
  models.forEach((entry, i) => {
    const enforced = (entry as { config?: { contract?: { enforced?: unknown } } } | null)?.config?.contract
      ?.enforced;
    if (enforced !== true) return;
    const parsed = DbtModel.safeParse(entry);
    if (!parsed.success) {
      for (const problem of describeZodIssues(parsed.error.issues)) {
        const path = ["models", i, ...problem.path.split(".").filter((p) => p !== "")];
        diagnostics.push({
          file,
          line: lineAt(path.map((p) => (/^\d+$/.test(String(p)) ? Number(p) : p))),
          severity: "error",
          path: path.join("."),
          message: problem.message,
        });
      }
      return;
    }
    contracts.push(modelToContract(parsed.data, file, ["models", i], lineAt, diagnostics));
  });
  return { contracts, diagnostics };
}

function modelToContract(
  model: DbtModel,
  file: string,
  path: (string | number)[],
  lineAt: LineLookup,
  diagnostics: ContractDiagnostic[],
): Contract {
  const rules: ContractRule[] = [];
  const columns = (model.columns ?? []).map((column, j): ContractColumn => {
    const line = lineAt([...path, "columns", j]);
    if (column.data_type === undefined) {
      diagnostics.push({
        file,
        line,
        severity: "warning",
        path: [...path, "columns", j, "data_type"].join("."),
        message: `column "${column.name}" of enforced contract "${model.name}" has no data_type; dbt requires one`,
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
  return {
    id: model.name,
    format: "dbt",
    file,
    datasets: [
      { name: model.name, tableId: "", description: model.description, line: lineAt(path), columns, rules },
    ],
    owners: githubHandles(owner === undefined ? [] : [owner].flat()),
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
  if (column && name === "not_null") column.required = true;
  else if (column && name === "unique") column.unique = true;
  else if (column && name === "accepted_values" && Array.isArray(args.values)) {
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
