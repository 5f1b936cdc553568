import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AdapterContext } from "../../../src/core/signals/signal-schema.js";

const dir = fileURLToPath(new URL("../../fixtures/signals/", import.meta.url));

/** Reads a JSON fixture from test/fixtures/signals. */
export function loadSignalFixture(name: string): unknown {
  return JSON.parse(readFileSync(`${dir}${name}`, "utf8"));
}

export const ctx: AdapterContext = {
  source: "ci",
  receivedAt: new Date("2026-11-25T08:00:00Z"),
  deliveryId: "delivery-1",
};

/** Runs `fn` and returns the error it throws, so a test can assert on its fields. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}
