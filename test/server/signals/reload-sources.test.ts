import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSignalSources, watchSignalSources } from "../../../src/server/signals/sources-config.js";
import { TOKEN } from "./intake-harness.js";

const ROTATED = `rotated-${TOKEN}`;
const file = (token: string) =>
  JSON.stringify({ sources: [{ id: "prometheus", bearerTokens: [token], repos: ["acme/shop"] }] });

describe("watchSignalSources", () => {
  let dir: string;
  let path: string;
  let errors: string[];
  let infos: string[];
  const log = {
    info: (_: Record<string, unknown>, message: string) => void infos.push(message),
    error: (_: Record<string, unknown>, message: string) => void errors.push(message),
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "backflow-sources-"));
    path = join(dir, "sources.json");
    writeFileSync(path, file(TOKEN));
    errors = [];
    infos = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const tokens = (holder: { current: () => { sources: Array<{ bearerTokens?: string[] }> } }) =>
    holder.current().sources.flatMap((s) => s.bearerTokens ?? []);

  it("reloads a rotated token on SIGHUP", async () => {
    const watched = watchSignalSources({ file: path, initial: parseSignalSources(file(TOKEN), path), log });
    try {
      writeFileSync(path, file(ROTATED));
      process.emit("SIGHUP", "SIGHUP");
      await expect.poll(() => tokens(watched)).toEqual([ROTATED]);
      expect(infos).toContain("reloaded the signal sources file");
    } finally {
      watched.close();
    }
  });

  it("reloads when the file changes on disk", async () => {
    const watched = watchSignalSources({
      file: path,
      initial: parseSignalSources(file(TOKEN), path),
      log,
      intervalMs: 50,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 120));
      writeFileSync(path, file(ROTATED));
      await expect.poll(() => tokens(watched), { timeout: 5000 }).toEqual([ROTATED]);
    } finally {
      watched.close();
    }
  });

  it("keeps the old configuration when the new file is invalid, and logs why", async () => {
    const watched = watchSignalSources({ file: path, initial: parseSignalSources(file(TOKEN), path), log });
    try {
      writeFileSync(path, file("short"));
      expect(await watched.reload()).toBe(false);
      expect(tokens(watched)).toEqual([TOKEN]);
      expect(errors).toEqual([
        expect.stringMatching(/kept the previous signal sources: .*at least 32 characters/s),
      ]);
    } finally {
      watched.close();
    }
  });
});
