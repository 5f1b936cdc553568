import { describe, expect, it } from "vitest";
import { compareTypes, logicalTypeOf } from "../../../src/core/contracts/type-lattice.js";

describe("compareTypes", () => {
  it.each([
    ["int", "integer", "same"],
    ["VARCHAR (20)", "varchar(20)", "same"],
    ["bool", "boolean", "same"],
    ["int", "bigint", "widened"],
    ["bigint", "int", "narrowed"],
    ["smallint", "int4", "widened"],
    ["varchar(10)", "varchar(20)", "widened"],
    ["varchar(20)", "varchar(10)", "narrowed"],
    ["varchar(255)", "text", "widened"],
    ["text", "varchar(255)", "narrowed"],
    ["char(2)", "varchar(2)", "same"],
    ["numeric(12,2)", "numeric(14,2)", "widened"],
    ["numeric(12,2)", "numeric(12,4)", "narrowed"],
    ["numeric(12,2)", "numeric(14,4)", "widened"],
    ["numeric(12,2)", "numeric", "widened"],
    ["int", "numeric(12,2)", "widened"],
    ["bigint", "numeric(12,2)", "narrowed"],
    ["numeric(10,0)", "bigint", "widened"],
    ["numeric(12,2)", "bigint", "narrowed"],
    ["int", "double precision", "widened"],
    ["bigint", "double", "narrowed"],
    ["real", "float8", "widened"],
    ["double", "numeric(12,2)", "narrowed"],
    ["date", "timestamp", "widened"],
    ["timestamp", "date", "narrowed"],
    ["timestamp", "timestamptz", "unknown"],
    ["text", "integer", "unknown"],
    ["integer", "text", "unknown"],
    ["json", "jsonb", "same"],
    ["geography", "text", "unknown"],
    ["integer", "number", "widened"],
    ["number", "integer", "narrowed"],
  ])("%s → %s is %s", (before, after, expected) => {
    expect(compareTypes(before, after)).toBe(expected);
  });

  it.each([
    ["bigint", "integer"],
    ["numeric(14, 2)", "number"],
    ["NUMBER(38,0)", "integer"],
    ["character varying(5)", "string"],
    ["timestamp with time zone", "timestamp"],
    ["date", "date"],
    ["boolean", "boolean"],
    ["geography", undefined],
  ])("the logical type of %s is %s", (physical, logical) => {
    expect(logicalTypeOf(physical)).toBe(logical);
  });
});
