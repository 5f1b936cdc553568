import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import {
  DEFAULT_MAX_BODY_BYTES,
  loadSignalSources,
  parseSignalSources,
} from "../../../src/server/signals/sources-config.js";

const SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
const SECRET_2 = `whsec_${Buffer.alloc(32, 8).toString("base64")}`;
const TOKEN = "t".repeat(40);

function problemsOf(text: string): Array<{ path: string; message: string }> {
  try {
    parseSignalSources(text, "sources.yml");
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected the sources file to be refused");
}

describe("parseSignalSources", () => {
  it("reads YAML with defaults and lower-cases repositories", () => {
    const sources = parseSignalSources(
      `sources:\n  - id: monitor\n    secrets: [${SECRET}]\n    repos: [Acme/Shop]\n`,
      "sources.yml",
    );
    expect(sources.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(sources.sources[0]).toEqual({ id: "monitor", secrets: [SECRET], repos: ["acme/shop"] });
  });

  it("reads JSON too", () => {
    const sources = parseSignalSources(
      JSON.stringify({
        maxBodyBytes: 2048,
        sources: [{ id: "am", bearerTokens: [TOKEN], repos: ["acme/shop"], format: "alertmanager" }],
      }),
      "sources.json",
    );
    expect(sources.maxBodyBytes).toBe(2048);
    expect(sources.sources[0]?.format).toBe("alertmanager");
  });

  it.each([
    [
      "a source without repositories",
      `sources: [{id: a, secrets: [${SECRET}], repos: []}]`,
      "sources.0.repos",
    ],
    [
      "a repository that is not owner/name",
      `sources: [{id: a, secrets: [${SECRET}], repos: [shop]}]`,
      "sources.0.repos.0",
    ],
    [
      "a secret without the whsec_ prefix",
      "sources: [{id: a, secrets: [abc], repos: [a/b]}]",
      "sources.0.secrets.0",
    ],
    [
      "a secret that is too short",
      "sources: [{id: a, secrets: [whsec_YWJj], repos: [a/b]}]",
      "sources.0.secrets.0",
    ],
    [
      "three secrets at once",
      `sources: [{id: a, secrets: [${SECRET}, ${SECRET_2}, ${SECRET}], repos: [a/b]}]`,
      "sources.0.secrets",
    ],
    [
      "a short bearer token",
      "sources: [{id: a, bearerTokens: [short], repos: [a/b]}]",
      "sources.0.bearerTokens.0",
    ],
    ["a source nobody can post as", "sources: [{id: a, repos: [a/b]}]", "sources.0"],
    ["a misspelled key", `sources: [{id: a, secret: [${SECRET}], repos: [a/b]}]`, "sources.0"],
    [
      "two sources with one id",
      `sources: [{id: a, secrets: [${SECRET}], repos: [a/b]}, {id: a, secrets: [${SECRET_2}], repos: [a/b]}]`,
      "sources.1.id",
    ],
    [
      "two sources sharing a secret",
      `sources: [{id: a, secrets: [${SECRET}], repos: [a/b]}, {id: b, secrets: [${SECRET}], repos: [a/c]}]`,
      "sources.1",
    ],
    [
      "a zero body limit",
      `maxBodyBytes: 0\nsources: [{id: a, secrets: [${SECRET}], repos: [a/b]}]`,
      "maxBodyBytes",
    ],
  ])("refuses %s and points at the key", (_, text, path) => {
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.every((p) => p.message.length > 0)).toBe(true);
  });

  it("tells how to generate a secret when one is too short", () => {
    const [problem] = problemsOf("sources: [{id: a, secrets: [whsec_YWJj], repos: [a/b]}]");
    expect(problem?.message).toContain("openssl rand -base64 32");
  });
});

describe("loadSignalSources", () => {
  it("returns null when BACKFLOW_SIGNAL_SOURCES is unset (the signal API is off)", async () => {
    expect(await loadSignalSources({})).toBeNull();
  });

  it("reads the file the variable names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "backflow-sources-"));
    try {
      const file = join(dir, "sources.yml");
      writeFileSync(file, `sources:\n  - id: m\n    secrets: [${SECRET}]\n    repos: [a/b]\n`);
      const sources = await loadSignalSources({ BACKFLOW_SIGNAL_SOURCES: file });
      expect(sources?.sources.map((s) => s.id)).toEqual(["m"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the variable when the file cannot be read", async () => {
    await expect(loadSignalSources({ BACKFLOW_SIGNAL_SOURCES: "/nonexistent/sources.yml" })).rejects.toThrow(
      /BACKFLOW_SIGNAL_SOURCES/,
    );
  });
});
