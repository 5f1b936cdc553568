import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Document } from "yaml";
import type { Contract, ContractColumn } from "../../../src/core/contracts/contract.js";
import { ContractChangeSchema } from "../../../src/core/contracts/contract-change.js";
import { diffContracts } from "../../../src/core/contracts/diff-contracts.js";
import { loadFile } from "../../../src/core/contracts/load-contracts.js";

const TYPES = ["integer", "bigint", "varchar(20)", "text", "numeric(12, 2)", "date", "timestamp", "boolean"];
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);

const column = (n: string) =>
  fc.record({
    name: fc.constant(n),
    physicalType: fc.constantFrom(...TYPES),
    required: fc.boolean(),
    unique: fc.boolean(),
    primaryKey: fc.boolean(),
    allowedValues: fc.option(fc.uniqueArray(name, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    description: fc.option(fc.lorem({ maxCount: 6 }), { nil: undefined }),
    minimum: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
    exclusiveMaximum: fc.option(fc.integer({ min: 6, max: 50 }), { nil: undefined }),
    maxLength: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
    pattern: fc.option(fc.constantFrom("^[A-Z]+$", "^\\d+$"), { nil: undefined }),
    format: fc.option(fc.constantFrom("email", "uuid"), { nil: undefined }),
    precision: fc.option(fc.integer({ min: 1, max: 38 }), { nil: undefined }),
    tested: fc.option(fc.subarray(["not_null", "unique"]), { nil: undefined }),
    line: fc.integer({ min: 1, max: 500 }),
  });

const contractArb: fc.Arbitrary<Contract> = fc
  .uniqueArray(name, { minLength: 1, maxLength: 8 })
  .chain((names) => fc.tuple(...names.map(column)))
  .chain((columns) =>
    fc.record({
      id: name,
      format: fc.constantFrom("odcs" as const, "dbt" as const, "dcs" as const),
      file: fc.constant("contracts/c.odcs.yaml"),
      version: fc.constantFrom("1.0.0", "0.3.1", undefined),
      status: fc.constantFrom("active", undefined),
      owners: fc.constant(["@team/a"]),
      datasets: fc.constant([
        {
          name: "t",
          tableId: "t",
          line: 1,
          columns: columns as ContractColumn[],
          rules: columns.map((c, i) => ({
            column: c.name,
            metric: "nullValues",
            operator: "mustBeLessThan",
            value: i,
            line: 1,
          })),
          freshness: { value: 4, unit: "h", line: 2 },
          slas: [
            { property: "availability", value: "99.9%", line: 3 },
            { property: "retention", value: 1, unit: "y", line: 4 },
          ],
        },
      ]),
    }),
  );

describe("contract diff invariants", () => {
  it("finds no change between a contract and itself (or a deep copy)", () => {
    fc.assert(
      fc.property(contractArb, (contract) => {
        expect(diffContracts(contract, contract)).toEqual([]);
        expect(diffContracts(contract, structuredClone(contract))).toEqual([]);
      }),
    );
  });

  it("never calls an added optional column breaking", () => {
    fc.assert(
      fc.property(
        contractArb,
        fc.constantFrom(...TYPES),
        fc.integer({ min: 0, max: 8 }),
        (contract, type, at) => {
          const dataset = contract.datasets[0];
          if (!dataset) return;
          const columns = [...dataset.columns];
          columns.splice(at, 0, {
            name: "zz_new_column",
            physicalType: type,
            required: false,
            unique: false,
            primaryKey: false,
            line: 3,
          });
          const head = { ...contract, datasets: [{ ...dataset, columns }] };
          const changes = diffContracts(contract, head);
          expect(changes.map((c) => c.kind)).toEqual(["column_added"]);
          expect(changes.every((c) => c.class === "non-breaking")).toBe(true);
        },
      ),
    );
  });
});

/** ODCS documents built from random properties, to be written out in two different YAML styles. */
const odcsArb = fc.uniqueArray(name, { minLength: 1, maxLength: 6 }).chain((names) =>
  fc.record({
    apiVersion: fc.constant("v3.1.0"),
    kind: fc.constant("DataContract"),
    id: name,
    version: fc.constant("1.0.0"),
    status: fc.constant("active"),
    schema: fc.tuple(
      fc.record({
        name: fc.constant("orders"),
        properties: fc.tuple(
          ...names.map((n) =>
            fc.record({
              name: fc.constant(n),
              physicalType: fc.constantFrom(...TYPES),
              required: fc.boolean(),
              description: fc.lorem({ maxCount: 8 }),
              quality: fc.constant([{ metric: "nullValues", mustBeLessThan: 3 }]),
            }),
          ),
        ),
      }),
    ),
    slaProperties: fc.constant([{ property: "latency", value: 4, unit: "h" }]),
  }),
);

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  }
  return value;
}

describe("formatting-only edits", () => {
  it("produce no changes: indentation, quoting, key order and comments", () => {
    fc.assert(
      fc.property(odcsArb, (doc) => {
        const plain = new Document(doc).toString();
        const restyled = new Document(reversedKeys(doc));
        restyled.commentBefore = " reformatted by a person";
        const text = restyled.toString({
          indent: 4,
          defaultStringType: "QUOTE_DOUBLE",
          defaultKeyType: "PLAIN",
          flowCollectionPadding: false,
        });
        const a = loadFile("contracts/x.odcs.yaml", plain).contracts[0] ?? null;
        const b = loadFile("contracts/x.odcs.yaml", text).contracts[0] ?? null;
        expect(a).not.toBeNull();
        expect(diffContracts(a, b)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("ignores a comment-only edit of the example orders contract", async () => {
    const { readFileSync } = await import("node:fs");
    const { EXAMPLES } = await import("./fixtures.js");
    const text = readFileSync(`${EXAMPLES}shop/contracts/orders.odcs.yaml`, "utf8");
    const edited = text.replace(
      "  - property: latency",
      "  # agreed with finance in 2026\n  - property: latency",
    );
    const a = loadFile("contracts/orders.odcs.yaml", text).contracts[0] ?? null;
    const b = loadFile("contracts/orders.odcs.yaml", edited).contracts[0] ?? null;
    expect(edited).not.toBe(text);
    expect(diffContracts(a, b)).toEqual([]);
  });
});

describe("any two contracts", () => {
  it("diff into changes that each fit the published schema, with a class and who must act", () => {
    fc.assert(
      fc.property(contractArb, contractArb, fc.boolean(), (a, b, widening) => {
        for (const change of diffContracts(a, b, { wideningNonBreaking: widening })) {
          expect(ContractChangeSchema.parse(change)).toEqual(change);
          if (change.class === "non-breaking") expect(change.mustAct).not.toBe("consumers");
        }
      }),
      { numRuns: 80 },
    );
  });
});

const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null));
const fieldArb = fc.dictionary(
  fc.constantFrom(
    "type",
    "required",
    "unique",
    "primaryKey",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "pattern",
    "enum",
    "precision",
    "config",
    "fields",
    "quality",
  ),
  fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(name, scalar, { maxKeys: 3 })),
  { maxKeys: 6 },
);

describe("Data Contract Specification files", () => {
  it("never throw, whatever the shape of models, fields and servicelevels", () => {
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.record({ fields: fc.dictionary(name, fieldArb, { maxKeys: 4 }) }), {
          maxKeys: 3,
        }),
        fc.dictionary(
          fc.constantFrom("availability", "retention", "freshness", "frequency", "latency"),
          fc.dictionary(
            fc.constantFrom("percentage", "period", "threshold", "interval", "unlimited"),
            scalar,
            { maxKeys: 2 },
          ),
          { maxKeys: 3 },
        ),
        (models, servicelevels) => {
          const doc = {
            dataContractSpecification: "1.1.0",
            id: "x",
            info: { version: "1.0.0" },
            models,
            servicelevels,
          };
          const text = new Document(doc).toString();
          const loaded = loadFile("datacontract.yaml", text);
          expect(loaded.contracts.length + loaded.diagnostics.length).toBeGreaterThan(0);
          for (const contract of loaded.contracts) expect(diffContracts(contract, contract)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
