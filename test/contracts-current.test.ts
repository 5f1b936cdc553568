import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONTRACT_SCHEMAS, CONTRACTS_DIR, renderContract } from "../scripts/generate-contracts.js";

describe("committed JSON Schemas", () => {
  it.each(CONTRACT_SCHEMAS.map((c) => [c.file, c] as const))(
    "%s matches its zod schema (run `npm run contracts`)",
    (file, contract) => {
      expect(readFileSync(join(CONTRACTS_DIR, file), "utf8")).toBe(renderContract(contract));
    },
  );
});
