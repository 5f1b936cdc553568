import { SignalError } from "../errors.js";
import { adaptAlertmanager } from "./adapters/alertmanager.js";
import { adaptCanonical } from "./adapters/canonical.js";
import { adaptDatacontractCli } from "./adapters/datacontract-cli.js";
import { adaptDbtRunResults } from "./adapters/dbt-run-results.js";
import { adaptElementaryAlert } from "./adapters/elementary-alert.js";
import { adaptGreatExpectations } from "./adapters/great-expectations.js";
import { adaptOpenLineage } from "./adapters/openlineage.js";
import { adaptSodaScan } from "./adapters/soda-scan.js";
import { uniqueById } from "./build-signal.js";
import {
  type AdapterContext,
  type Signal,
  type SignalAdapter,
  type SignalFormat,
  SignalFormatSchema,
} from "./signal-schema.js";

export const ADAPTERS: Readonly<Record<SignalFormat, SignalAdapter>> = {
  backflow: adaptCanonical,
  openlineage: adaptOpenLineage,
  "great-expectations": adaptGreatExpectations,
  dbt: adaptDbtRunResults,
  alertmanager: adaptAlertmanager,
  "datacontract-cli": adaptDatacontractCli,
  soda: adaptSodaScan,
  elementary: adaptElementaryAlert,
};

// Names people are likely to put in the header or URL, mapped onto the format they mean.
const ALIASES: Readonly<Record<string, SignalFormat>> = {
  backflow: "backflow",
  canonical: "backflow",
  signal: "backflow",
  signals: "backflow",
  openlineage: "openlineage",
  lineage: "openlineage",
  "great-expectations": "great-expectations",
  greatexpectations: "great-expectations",
  gx: "great-expectations",
  ge: "great-expectations",
  dbt: "dbt",
  "run-results": "dbt",
  "dbt-run-results": "dbt",
  "dbt-sources": "dbt",
  alertmanager: "alertmanager",
  prometheus: "alertmanager",
  "datacontract-cli": "datacontract-cli",
  datacontract: "datacontract-cli",
  soda: "soda",
  "soda-core": "soda",
  "soda-scan": "soda",
  elementary: "elementary",
  edr: "elementary",
};

const ACCEPTED = SignalFormatSchema.options.join(", ");

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function firstOf(value: unknown): Record<string, unknown> | undefined {
  return Array.isArray(value) ? record(value[0]) : undefined;
}

// Elementary's dbt test ids come with its own alert ids; a dbt result has neither.
function isElementaryAlert(b: Record<string, unknown>): boolean {
  return "test_unique_id" in b && ("alert_class_id" in b || "elementary_unique_id" in b);
}

// Ordered from the most distinctive marker to the least; each test looks at keys only.
const SNIFFERS: ReadonlyArray<readonly [SignalFormat, (b: Record<string, unknown>) => boolean]> = [
  ["backflow", (b) => typeof b.schemaVersion === "string" && b.schemaVersion.startsWith("backflow.signal")],
  ["backflow", (b) => Array.isArray(b.signals)],
  ["openlineage", (b) => "eventTime" in b && record(b.run) !== undefined && record(b.job) !== undefined],
  [
    "alertmanager",
    (b) => Array.isArray(b.alerts) && ("groupKey" in b || "receiver" in b || b.version === "4"),
  ],
  ["dbt", (b) => typeof record(b.metadata)?.dbt_schema_version === "string"],
  ["dbt", (b) => record(b.run_results)?.metadata !== undefined && "manifest" in b],
  [
    "datacontract-cli",
    (b) => Array.isArray(b.checks) && ("dataContractId" in b || "datacontractCliVersion" in b),
  ],
  ["soda", (b) => Array.isArray(b.checks) && ("definitionName" in b || "defaultDataSource" in b)],
  ["elementary", isElementaryAlert],
  ["great-expectations", (b) => firstOf(b.results)?.expectation_config !== undefined],
  ["great-expectations", (b) => record(b.run_results) !== undefined && "run_id" in b],
  ["great-expectations", (b) => record(b.statistics)?.evaluated_expectations !== undefined],
  ["dbt", (b) => typeof firstOf(b.results)?.unique_id === "string"],
  ["datacontract-cli", (b) => typeof firstOf(b.checks)?.result === "string"],
  ["backflow", (b) => typeof b.type === "string" && record(b.dataset) !== undefined],
];

/**
 * The format of a signal payload. A `hint` (the `x-backflow-format` header or a URL path segment such
 * as `/signals/dbt`) wins; otherwise the payload's own markers decide.
 *
 * @example detectFormat({ version: "4", receiver: "backflow", alerts: [] }) // "alertmanager"
 */
export function detectFormat(body: unknown, hint?: string): SignalFormat {
  if (hint !== undefined && hint.trim() !== "") {
    const key = hint.trim().toLowerCase().replace(/[_ ]/g, "-");
    // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
    const format = Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
    if (!format) {
      throw new SignalError(`Unknown signal format "${hint.slice(0, 100)}". Use one of: ${ACCEPTED}.`, 415);
    }
    return format;
  }
  // A forwarder may post a list of Elementary alerts; no other format is a top-level array.
  const object = Array.isArray(body) ? firstOf(body) : record(body);
  const sniffers = Array.isArray(body) ? SNIFFERS.filter(([format]) => format === "elementary") : SNIFFERS;
  const match = object && sniffers.find(([, test]) => test(object));
  if (!match) {
    throw new SignalError(
      `Could not recognise the signal format. Send one of: ${ACCEPTED}, or name it in the x-backflow-format header.`,
      415,
    );
  }
  return match[0];
}

/** Detects the format and converts the payload into canonical signals, without duplicate ids. */
export function adaptSignals(body: unknown, options: AdapterContext & { readonly hint?: string }): Signal[] {
  const { hint, ...ctx } = options;
  return uniqueById(ADAPTERS[detectFormat(body, hint)](body, ctx));
}
