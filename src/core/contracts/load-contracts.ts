import picomatch from "picomatch";
import type { z } from "zod";
import { describeZodIssues, parseYamlSafely } from "../config/parse-config.js";
import type { BackflowConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import type { RepoFiles } from "../repo-files.js";
import { bindContracts } from "./bind-contract.js";
import type { Contract, ContractDiagnostic } from "./contract.js";
import { isDbtProperties, readDbtContracts } from "./dbt-contract.js";
import { type ModelConfigLookup, modelConfigLookup } from "./dbt-model-config.js";
import { DcsContractSchema, normalizeDcs } from "./normalize-dcs.js";
import { normalizeOdcs } from "./normalize-odcs.js";
import { OdcsContractSchema } from "./odcs-schema.js";
import { type LineLookup, yamlLines } from "./yaml-lines.js";

export type LoadedContracts = {
  contracts: Contract[];
  diagnostics: ContractDiagnostic[];
  /** Enforced dbt contracts of disabled models (`enabled: false`): compared as deleted, never bound. */
  disabled?: Contract[];
};

/**
 * Finds and reads every contract of a repository: ODCS files matching `contracts.paths`, and dbt
 * properties YAMLs (under a dbt project's model-paths) with enforced model contracts. A file that
 * does not parse or validate becomes a diagnostic with its line and key path; the others still load.
 * Pass `knownTableIds` (the lineage graph's tables) to resolve and check each contract's binding.
 */
export function loadContracts(
  files: RepoFiles,
  config: BackflowConfig,
  knownTableIds?: Iterable<string>,
): LoadedContracts {
  const isContractPath = picomatch(config.contracts.paths, { dot: true });
  const dbtFiles = dbtPropertyFiles(files);
  const contracts: Contract[] = [];
  const disabled: Contract[] = [];
  const diagnostics: ContractDiagnostic[] = [];
  const paths = [...files.keys()].filter((p) => isContractPath(p) || dbtFiles.has(p)).sort();
  const modelConfig = modelConfigLookup(files);
  for (const file of paths) {
    const loaded = loadFile(file, files.get(file) ?? "", isContractPath(file), modelConfig);
    contracts.push(...loaded.contracts);
    disabled.push(...(loaded.disabled ?? []));
    diagnostics.push(...loaded.diagnostics);
  }
  diagnostics.push(...duplicateIds(contracts));
  const bound = bindContracts(contracts, config.contracts.bindings, knownTableIds);
  return {
    contracts: bound.contracts,
    diagnostics: [...diagnostics, ...bound.diagnostics],
    disabled: bindContracts(disabled, config.contracts.bindings).contracts,
  };
}

/** Reads one YAML file as an ODCS contract or dbt properties; never throws on user content. */
export function loadFile(
  file: string,
  text: string,
  isContractPath = true,
  modelConfig?: ModelConfigLookup,
): LoadedContracts {
  let value: unknown;
  try {
    value = parseYamlSafely(text, file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { contracts: [], diagnostics: error.problems.map((p) => yamlProblem(file, p.path, p.message)) };
  }
  const lineAt = yamlLines(text);
  const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  if (record.kind === "DataContract" || String(record.apiVersion ?? "").startsWith("v3")) {
    return loadOdcs(file, value, lineAt);
  }
  if (record.dataContractSpecification !== undefined) return loadDcs(file, value, lineAt);
  if (isDbtProperties(value)) return readDbtContracts(value, file, lineAt, modelConfig);
  if (!isContractPath) return { contracts: [], diagnostics: [] };
  const message =
    "not an ODCS contract (no `kind: DataContract`), a Data Contract Specification file (`dataContractSpecification:`) nor dbt properties (`models:`); it was skipped — narrow contracts.paths in .github/backflow.yml if it is not a contract";
  return { contracts: [], diagnostics: [{ file, line: 1, severity: "warning", message }] };
}

function loadDcs(file: string, value: unknown, lineAt: LineLookup): LoadedContracts {
  const parsed = DcsContractSchema.safeParse(value);
  if (parsed.success) return { contracts: [normalizeDcs(parsed.data, file, lineAt)], diagnostics: [] };
  return { contracts: [], diagnostics: zodDiagnostics(file, parsed.error.issues, lineAt) };
}

function loadOdcs(file: string, value: unknown, lineAt: LineLookup): LoadedContracts {
  const parsed = OdcsContractSchema.safeParse(value);
  if (parsed.success) return { contracts: [normalizeOdcs(parsed.data, file, lineAt)], diagnostics: [] };
  return { contracts: [], diagnostics: zodDiagnostics(file, parsed.error.issues, lineAt) };
}

function zodDiagnostics(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  lineAt: LineLookup,
): ContractDiagnostic[] {
  return issues.map((issue): ContractDiagnostic => {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    const problem = describeZodIssues([issue])[0];
    return {
      file,
      line: lineAt(path),
      severity: "error",
      path: path.join("."),
      message: `${path.join(".") || "(root)"}: ${problem?.message ?? issue.message}`,
    };
  });
}

function yamlProblem(file: string, where: string, message: string): ContractDiagnostic {
  const line = /^line (\d+)$/.exec(where)?.[1];
  return { file, line: line ? Number(line) : 1, severity: "error", message: `invalid YAML: ${message}` };
}

/** Properties YAMLs inside each dbt project's model-paths that mention `models:` at the top level. */
function dbtPropertyFiles(files: RepoFiles): Set<string> {
  const roots: string[] = [];
  for (const [path, text] of files) {
    if (path !== "dbt_project.yml" && !path.endsWith("/dbt_project.yml")) continue;
    const dir = path.slice(0, -"dbt_project.yml".length);
    let modelPaths: string[] = ["models"];
    try {
      const project = parseYamlSafely(text, path) as { "model-paths"?: unknown } | null;
      const declared = project?.["model-paths"];
      if (Array.isArray(declared)) modelPaths = declared.filter((p): p is string => typeof p === "string");
    } catch {
      // A broken dbt_project.yml is the lineage pass's to report; contracts fall back to `models/`.
    }
    for (const modelPath of modelPaths)
      roots.push(`${dir}${modelPath.replace(/^\.\//, "").replace(/\/$/, "")}/`);
  }
  const found = new Set<string>();
  for (const [path, text] of files) {
    if (!/\.ya?ml$/.test(path) || !roots.some((root) => path.startsWith(root))) continue;
    if (/^models\s*:/m.test(text)) found.add(path);
  }
  return found;
}

function duplicateIds(contracts: readonly Contract[]): ContractDiagnostic[] {
  const seen = new Map<string, Contract>();
  const diagnostics: ContractDiagnostic[] = [];
  for (const contract of contracts) {
    const key = `${contract.format}:${contract.id}`;
    const first = seen.get(key);
    if (first) {
      diagnostics.push({
        file: contract.file,
        line: 1,
        severity: "error",
        message: `contract id "${contract.id}" is also used by ${first.file}; give each contract its own id`,
      });
    } else seen.set(key, contract);
  }
  return diagnostics;
}
