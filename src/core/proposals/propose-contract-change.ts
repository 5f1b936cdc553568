import { type Document, isSeq } from "yaml";
import type { Contract } from "../contracts/contract.js";
import { needsSignOff } from "../contracts/contract-change.js";
import { diffContracts } from "../contracts/diff-contracts.js";
import { loadFile } from "../contracts/load-contracts.js";
import type { Finding } from "../triage/triage-signal.js";
import {
  appendTo,
  bumpVersion,
  field,
  indexByName,
  removeFrom,
  setScalar,
  type YamlPath,
} from "./contract-rules.js";
import { editDbtProperties } from "./edit-dbt-properties.js";
import { editYaml } from "./edit-yaml.js";
import { expectationOf } from "./expectation-of.js";
import { noProposal, type Proposal } from "./file-edit.js";
import type { ProposalInput } from "./propose-cleansing.js";

export type Direction = "tighten" | "relax";

/** What the contract should promise about the finding: no nulls, unique values, or a freshness SLA. */
export type ContractIntent = "not-null" | "unique" | "latency";

export function intentOf(finding: Finding): ContractIntent | undefined {
  if (finding.kind === "freshness") return "latency";
  if (/duplicate|unique/i.test(finding.metric)) return "unique";
  if (finding.kind === "completeness" || /null/i.test(finding.metric))
    return finding.column ? "not-null" : undefined;
  return undefined;
}

const RULES = {
  "not-null": { flag: "required", metric: "nullValues", dimension: "completeness", suffix: "nulls" },
  unique: { flag: "unique", metric: "duplicateValues", dimension: "uniqueness", suffix: "duplicates" },
} as const;

function editColumnRule(
  doc: Document,
  path: YamlPath,
  column: string,
  intent: "not-null" | "unique",
  direction: Direction,
): string | undefined {
  const rule = RULES[intent];
  const quality = [...path, "quality"];
  const hasRule = (item: unknown) => field(item, "metric") === rule.metric;
  if (direction === "relax") {
    const removed = removeFrom(doc, quality, hasRule);
    if (doc.getIn([...path, rule.flag]) !== true && removed === 0) return undefined;
    setScalar(doc, [...path, rule.flag], false);
    return `relaxes ${column}: no longer ${rule.flag}, ${rule.metric} rule removed`;
  }
  const existing = doc.getIn(quality, true);
  const present = isSeq(existing) && existing.items.some(hasRule);
  if (doc.getIn([...path, rule.flag]) === true && present) return undefined;
  if (doc.getIn([...path, rule.flag]) !== true) setScalar(doc, [...path, rule.flag], true);
  if (!present)
    appendTo(doc, quality, {
      id: `${column}_${rule.suffix}`,
      type: "library",
      metric: rule.metric,
      mustBe: 0,
      dimension: rule.dimension,
      severity: "error",
    });
  return `${column}: ${rule.flag}: true and a ${rule.metric} mustBe 0 rule, so the producer's checks catch it`;
}

function editLatency(doc: Document, finding: Finding, direction: Direction): string | undefined {
  const slas = doc.getIn(["slaProperties"], true);
  const index = (isSeq(slas) ? slas.items : []).findIndex((item) => field(item, "property") === "latency");
  const current = index === -1 ? undefined : Number(doc.getIn(["slaProperties", index, "value"]));
  const observed = finding.observed !== undefined ? Math.ceil(finding.observed) : undefined;
  const wanted = direction === "relax" ? observed : (finding.threshold.max ?? observed);
  if (wanted === undefined || !(wanted > 0) || wanted === current) return undefined;
  if (index === -1) {
    appendTo(doc, ["slaProperties"], {
      property: "latency",
      value: wanted,
      unit: "h",
      element: `${finding.tableId}${finding.column ? `.${finding.column}` : ""}`,
    });
    return `adds a freshness SLA: latency ${wanted} h`;
  }
  setScalar(doc, ["slaProperties", index, "value"], wanted);
  setScalar(doc, ["slaProperties", index, "unit"], "h");
  return `latency SLA ${current} → ${wanted} h`;
}

function editOdcs(
  text: string,
  contract: Contract,
  finding: Finding,
  intent: ContractIntent,
  direction: Direction,
) {
  const dataset = contract.datasets.find((d) => d.tableId === finding.tableId);
  let summary: string | undefined;
  const after = editYaml(text, (doc) => {
    if (intent === "latency") {
      summary = editLatency(doc, finding, direction);
      return;
    }
    const s = indexByName(doc, ["schema"], dataset?.name ?? "");
    const p =
      s === undefined ? undefined : indexByName(doc, ["schema", s, "properties"], finding.column ?? "");
    if (s === undefined || p === undefined) return;
    summary = editColumnRule(doc, ["schema", s, "properties", p], finding.column ?? "", intent, direction);
  });
  return { after, summary };
}

function versioned(
  file: string,
  before: string,
  after: string,
): { text: string; breaking: boolean; version?: string } {
  const base = loadFile(file, before).contracts[0] ?? null;
  const head = loadFile(file, after).contracts[0] ?? null;
  const breaking = diffContracts(base, head).some(needsSignOff);
  const next = head?.version ? bumpVersion(head.version, breaking) : undefined;
  if (!next || !head?.version) return { text: after, breaking };
  return {
    text: editYaml(after, (doc) => setScalar(doc, ["version"], next)),
    breaking,
    version: `${head.version} → ${next}`,
  };
}

/**
 * A contract change for a finding: tighten (require the column, add a nullValues / duplicateValues
 * rule, add or tighten the latency SLA) so the producer's checks catch it next time, or relax a rule
 * an analyst confirmed was wrong. ODCS contracts get a version bump (minor when H5's diff calls the
 * change non-breaking, major when breaking); dbt properties get `not_null` / `unique` data tests.
 */
export function proposeContractChange(input: ProposalInput & { direction?: Direction }): Proposal {
  const { finding } = input;
  const direction = input.direction ?? "tighten";
  const subject = `${finding.tableId ?? finding.dataset}${finding.column ? `.${finding.column}` : ""}`;
  const title = `Contract change for ${finding.metric} on ${subject}`;
  const intent = intentOf(finding);
  if (!intent)
    return noProposal(
      "contract",
      title,
      `no contract rule fits a ${finding.kind} finding (${finding.metric})${finding.column ? "" : " without a column"}`,
    );
  const contract = input.contracts?.find(
    (c) => c.format === "odcs" && c.datasets.some((d) => d.tableId === finding.tableId),
  );
  const file = contract?.file;
  const text = file ? input.files.get(file) : undefined;
  const edited =
    contract && file && text !== undefined
      ? { file, text, ...editOdcs(text, contract, finding, intent, direction) }
      : editDbtProperties({ files: input.files, finding, intent, direction });
  if (!edited)
    return noProposal(
      "contract",
      title,
      `no ODCS contract or dbt properties file describes ${finding.tableId ?? finding.dataset}; add one to state what consumers rely on`,
    );
  if (!edited.summary)
    return noProposal(
      "contract",
      title,
      `the contract in ${edited.file} already states this (${intent}); the producer breaks it — propose a cleansing rule or a revert instead`,
    );
  const bumped = contract
    ? versioned(edited.file, edited.text, edited.after)
    : { text: edited.after, breaking: direction === "relax" };
  return {
    kind: "contract",
    title: `${direction === "relax" ? "Relax" : "Tighten"} contract for ${subject}: ${edited.summary}`.slice(
      0,
      200,
    ),
    edits: [{ path: edited.file, before: edited.text, after: bumped.text }],
    rationale: `${edited.summary}${"version" in bumped && bumped.version ? `; version ${bumped.version}` : ""}${bumped.breaking ? " (breaking: consumers must agree)" : ""}.`,
    risk: bumped.breaking ? "high" : "low",
    cost:
      direction === "relax"
        ? "consumers lose a guarantee they may rely on"
        : "the producer's checks may start failing until the data is fixed",
    expects: [expectationOf(finding)],
    breaking: bumped.breaking,
  };
}
