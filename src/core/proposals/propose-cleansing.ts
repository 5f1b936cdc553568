import type { BackflowConfig } from "../config/schema.js";
import type { Contract, ContractColumn } from "../contracts/contract.js";
import { lineageOf } from "../lineage/build-lineage.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { RepoFiles } from "../repo-files.js";
import type { Finding } from "../triage/triage-signal.js";
import { chooseTargets, type EditTarget } from "./choose-target.js";
import { dedupeRows, filterRows, rewriteItem, type SqlEdit } from "./cleansing-edits.js";
import { defaultFor, isKeyColumn, recencyColumn, sqlLiteral, valueTypeOf } from "./column-traits.js";
import { expectationOf } from "./expectation-of.js";
import { noProposal, type Proposal } from "./file-edit.js";
import { scanModel } from "./scan-model.js";
import { verifySqlEdit } from "./verify-sql-edit.js";

export type ProposalInput = {
  readonly finding: Finding;
  readonly files: RepoFiles;
  readonly config: BackflowConfig;
  readonly contracts?: readonly Contract[];
  /** The repository's lineage, when the caller has it already. */
  readonly graph?: LineageGraph;
  /** Rows the failing check reported, for the cost of a filter. */
  readonly failingRows?: number;
};

type Problem = "nulls" | "duplicates" | "invalid";

function problemOf(finding: Finding): Problem | undefined {
  if (/duplicate|unique/i.test(finding.metric)) return "duplicates";
  if (finding.kind === "completeness" || /null|not_?null|complete/i.test(finding.metric)) return "nulls";
  if (finding.kind === "consistency") return "invalid";
  return undefined;
}

/** The contract column of `table.column`, if a contract describes it. */
export function contractColumnOf(
  contracts: readonly Contract[] | undefined,
  table: string,
  column: string | undefined,
) {
  if (!column) return undefined;
  for (const contract of contracts ?? [])
    for (const dataset of contract.datasets)
      if (dataset.tableId === table) {
        const found = dataset.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
        if (found) return found;
      }
  return undefined;
}

function validCondition(expr: string, rules: ContractColumn | undefined): string | undefined {
  if (rules?.allowedValues && rules.allowedValues.length > 0)
    return `${expr} in (${rules.allowedValues.map(sqlLiteral).join(", ")})`;
  if (rules?.minimum !== undefined && rules.maximum !== undefined)
    return `${expr} between ${rules.minimum} and ${rules.maximum}`;
  if (rules?.minimum !== undefined) return `${expr} >= ${rules.minimum}`;
  if (rules?.maximum !== undefined) return `${expr} <= ${rules.maximum}`;
  return undefined;
}

function buildEdit(input: ProposalInput, target: EditTarget, problem: Problem): SqlEdit {
  const { table, column } = target;
  const model = scanModel(input.files.get(table.file) ?? "", input.config.dialect);
  const line = table.line ?? 1;
  if (problem === "duplicates") {
    const key =
      input.finding.column ??
      input.contracts
        ?.flatMap((c) => c.datasets)
        .find((d) => d.tableId === table.id)
        ?.columns.find((c) => c.primaryKey)?.name;
    if (!key)
      return { ok: false, reason: "the finding names no key column and no contract declares a primary key" };
    const names = table.columns.map((c) => c.name);
    return dedupeRows({
      model,
      line,
      dialect: input.config.dialect,
      key,
      orderBy: recencyColumn(names.filter((n) => n !== key)),
      columns: names,
    });
  }
  if (!column)
    return {
      ok: false,
      reason: `${table.id} has no column ${input.finding.column ?? "(none named)"} in the lineage`,
    };
  const contract =
    contractColumnOf(input.contracts, table.id, column.name) ??
    contractColumnOf(input.contracts, input.finding.tableId ?? "", input.finding.column);
  const key = isKeyColumn(column.name, contract);
  const name = column.name;
  if (problem === "nulls") {
    if (!key && /^\s*(coalesce|ifnull|nvl|zeroifnull)\s*\(/i.test(column.expression ?? "")) {
      return {
        ok: false,
        reason: `${name} already replaces nulls (${column.expression}); the nulls must come from missing rows or a later step`,
      };
    }
    const fill = key ? undefined : defaultFor(valueTypeOf({ name, expression: column.expression, contract }));
    if (fill) {
      return rewriteItem({
        model,
        line: column.line,
        column: name,
        rewrite: (e) => `coalesce(${e}, ${fill.sql})`,
        comment: `nulls in ${name} become ${fill.sql} (${fill.why})`,
      });
    }
    const why = key ? `${name} is a key: a default would invent an identity` : `no safe default for ${name}`;
    return filterRows({
      model,
      line,
      condition: `${name} is not null`,
      comment: `drops rows where ${name} is null (${why})`,
    });
  }
  const valid = validCondition(name, contract);
  if (!valid)
    return {
      ok: false,
      reason: `no accepted values or range for ${name} in a contract, so the valid values are unknown; add them to the contract first`,
    };
  if (key)
    return filterRows({
      model,
      line,
      condition: valid,
      comment: `drops rows where ${name} is outside the contract (${valid})`,
    });
  return rewriteItem({
    model,
    line: column.line,
    column: name,
    rewrite: (e) => `case when ${validCondition(`(${e})`, contract)} then ${e} else null end`,
    comment: `values of ${name} outside the contract (${valid}) become null`,
  });
}

/**
 * A cleansing rule for a finding: coalesce or a quarantine filter for nulls, a guard or filter for
 * values outside the contract, deduplication for duplicate keys. The edit is made in the original
 * text (Jinja and comments kept) and kept only if the model still reads cleanly and no other column's
 * lineage changes; otherwise the proposal has no edit and says why.
 */
export function proposeCleansing(input: ProposalInput): Proposal {
  const { finding } = input;
  const subject = `${finding.tableId ?? finding.dataset}${finding.column ? `.${finding.column}` : ""}`;
  const title = `Cleansing rule for ${finding.metric} on ${subject}`;
  if (finding.kind === "freshness")
    return noProposal(
      "cleansing",
      title,
      "late data is not fixed in SQL: propose the contract's freshness SLA change instead (kind contract)",
    );
  const problem = problemOf(finding);
  if (!problem)
    return noProposal(
      "cleansing",
      title,
      `no cleansing rule fits a ${finding.kind} finding (${finding.metric}); look at the suspects or propose a revert`,
    );
  const graph = input.graph ?? lineageOf(input.files, input.config);
  const targets = chooseTargets({ finding, graph, rowsOnly: problem === "duplicates" });
  if (targets.length === 0)
    return noProposal(
      "cleansing",
      title,
      `no SQL model in this repository produces ${finding.tableId ?? finding.dataset} (a source's data arrived that way: fix it upstream or propose a contract change)`,
    );
  const refusals: string[] = [];
  for (const target of targets) {
    const edit = buildEdit(input, target, problem);
    const check = edit.ok
      ? verifySqlEdit({
          files: input.files,
          config: input.config,
          path: target.table.file,
          after: edit.after,
          changing: changingOf(edit, target),
          before: graph,
        })
      : undefined;
    if (edit.ok && check?.ok) return cleansingProposal(input, title, target, edit);
    refusals.push(edit.ok ? `${check && !check.ok ? check.reason : "unverified"}` : edit.reason);
  }
  return noProposal("cleansing", title, `${refusals.join("; ")}; no edit is proposed`);
}

function changingOf(edit: Extract<SqlEdit, { ok: true }>, target: EditTarget): Set<string> {
  return new Set(edit.dropsRows || !target.column ? [] : [`${target.table.id}.${target.column.name}`]);
}

function cleansingProposal(
  input: ProposalInput,
  title: string,
  target: EditTarget,
  edit: Extract<SqlEdit, { ok: true }>,
): Proposal {
  const { finding } = input;
  const cost = edit.dropsRows
    ? input.failingRows !== undefined
      ? `drops about ${input.failingRows} row(s) per run (the failing rows the check reported)`
      : "drops rows; how many is unknown until run"
    : "keeps every row; changes values only where the rule applies";
  return {
    kind: "cleansing",
    title: `${title}: ${edit.summary}`.slice(0, 200),
    edits: [{ path: target.table.file, before: input.files.get(target.table.file) ?? "", after: edit.after }],
    rationale: `${edit.summary}. Edits ${target.table.file}: ${target.why}.`,
    risk: edit.dropsRows ? "medium" : "low",
    cost,
    expects: [expectationOf(finding)],
    breaking: false,
  };
}
