import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config/parse-config.js";
import { loadFile } from "../../src/core/contracts/load-contracts.js";
import { ConfigError } from "../../src/core/errors.js";
import { fuzzParameters, fuzzTimeoutMs } from "./fuzz-options.js";

// YAML-ish text: real keys of the config and of ODCS contracts, YAML punctuation, aliases and noise.
const yamlToken = fc.oneof(
  fc.constantFrom(
    "dialect: ",
    "bigquery",
    "snowflake",
    "contracts:\n  paths: [",
    "]",
    "thresholds:\n",
    "  - metric: ",
    "commands:\n  permissions:\n",
    "kind: DataContract\n",
    "apiVersion: v3.0.0\n",
    "id: ",
    "schema:\n  - name: ",
    "    properties:\n      - name: ",
    "        logicalType: ",
    "models:\n  - name: ",
    "    config:\n      contract: {enforced: true}\n",
    "    columns:\n      - name: ",
    "&a [1,2,3]",
    "*a",
    "!!binary",
    "? ",
    "- ",
    ": ",
    "{",
    "}",
    "\n",
    "  ",
    "'",
    '"',
    "#",
    "---\n",
    "...\n",
    "constructor",
    "__proto__",
  ),
  fc.string({ maxLength: 12 }),
);
const yamlText = fc.array(yamlToken, { maxLength: 60 }).map((tokens) => tokens.join(""));

describe("fuzz: .github/backflow.yml parser", () => {
  it(
    "either returns a config or throws a ConfigError listing problems, for any text",
    () => {
      fc.assert(
        fc.property(yamlText, (text) => {
          try {
            const config = parseConfig(text);
            expect(typeof config.dialect).toBe("string");
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as ConfigError).problems.length).toBeGreaterThan(0);
          }
        }),
        fuzzParameters(200),
      );
    },
    fuzzTimeoutMs(5, 200),
  );
});

describe("fuzz: contract loading", () => {
  it(
    "never throws on a contract file's text; problems come back as diagnostics with a line",
    () => {
      fc.assert(
        fc.property(yamlText, fc.boolean(), (text, isContractPath) => {
          const loaded = loadFile("contracts/fuzz.yaml", text, isContractPath);
          for (const d of loaded.diagnostics) {
            expect(d.file).toBe("contracts/fuzz.yaml");
            expect(Number.isInteger(d.line) && d.line >= 1).toBe(true);
            expect(d.message.length).toBeGreaterThan(0);
          }
          for (const contract of loaded.contracts) expect(contract.file).toBe("contracts/fuzz.yaml");
        }),
        fuzzParameters(200),
      );
    },
    fuzzTimeoutMs(5, 200),
  );
});
