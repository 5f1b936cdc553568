import { describe, expect, it } from "vitest";
import type { ConfigFileRef } from "../../../src/core/config/config-file-ref.js";
import { mergeConfigLayers, originOf } from "../../../src/core/config/merge-config-layers.js";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { readConfigLayer } from "../../../src/core/config/read-config-layer.js";
import { resolveChainFrom, resolveConfigChain } from "../../../src/core/config/resolve-config-chain.js";
import { resolveExtendsSpec } from "../../../src/core/config/resolve-extends-spec.js";
import { changedKeys, effectOnDependent } from "../../../src/core/config/shared-config-effect.js";
import { validateConfigLayers } from "../../../src/core/config/validate-config-layers.js";
import { ConfigError } from "../../../src/core/errors.js";

const FROM = { owner: "acme" };
const CONFIG = ".github/backflow.yml";

describe("resolveExtendsSpec", () => {
  it.each([
    ["repo", ".github", { owner: "acme", repo: ".github", path: CONFIG }],
    ["owner/repo", "other/settings", { owner: "other", repo: "settings", path: CONFIG }],
    [
      "repo:path",
      "settings:shared/backflow.yaml",
      { owner: "acme", repo: "settings", path: "shared/backflow.yaml" },
    ],
    [
      "owner/repo:path",
      "Other/base-config:a/b.yml",
      { owner: "Other", repo: "base-config", path: "a/b.yml" },
    ],
    ["surrounding spaces", "  acme/.github ", { owner: "acme", repo: ".github", path: CONFIG }],
  ])("reads %s", (_name, spec, ref) => {
    expect(resolveExtendsSpec(spec, FROM)).toEqual({ ok: true, ref });
  });

  it.each([
    ["a number", 3, /must be a string/],
    ["a list", ["a", "b"], /a list/],
    ["an empty value", null, /an empty value/],
    ["two slashes", "a/b/c", /is not a repository or file/],
    ["a non-YAML path", "acme/settings:README.md", /is not a repository or file/],
    ["a parent path", "acme/settings:../x.yml", /without empty or "\.\." parts/],
    ["an absolute path", "acme/settings:/x.yml", /is not a repository or file|relative/],
    ["a bad owner", "-acme/settings", /is not a repository or file/],
    ["the dot repository", "acme/..", /names no repository/],
  ])("refuses %s with a message saying the accepted forms", (_name, spec, message) => {
    const result = resolveExtendsSpec(spec, FROM);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toMatch(message);
  });
});

describe("mergeConfigLayers", () => {
  it.each([
    ["mappings merge key by key", [{ a: { b: 1 } }, { a: { c: 2 } }], { a: { b: 1, c: 2 } }],
    [
      "the top layer wins for scalars",
      [{ dialect: "bigquery" }, { dialect: "postgres" }],
      { dialect: "bigquery" },
    ],
    ["lists concatenate, the base first", [{ l: [3] }, { l: [1, 2] }], { l: [1, 2, 3] }],
    ["equal list items are not repeated", [{ l: [{ x: 1 }, 2] }, { l: [{ x: 1 }] }], { l: [{ x: 1 }, 2] }],
    ["a scalar replaces a mapping", [{ canary: "off" }, { canary: { window: "1d" } }], { canary: "off" }],
    [
      "a mapping replaces a scalar",
      [{ canary: { window: "1d" } }, { canary: "off" }],
      { canary: { window: "1d" } },
    ],
    ["null replaces", [{ a: null }, { a: { b: 1 } }], { a: null }],
    ["three layers", [{ a: 1 }, { b: 2 }, { a: 0, c: 3 }], { a: 1, b: 2, c: 3 }],
  ])("%s", (_name, layers, expected) => {
    expect(mergeConfigLayers(layers as Record<string, unknown>[]).value).toEqual(expected);
  });

  it.each([
    ["a key only the base sets", ["impact", "breakingConclusion"], 1],
    ["a key the top overrides", ["dialect"], 0],
    ["a list item the base added", ["signals", "thresholds", 0, "min"], 1],
    ["a list item the top added", ["signals", "thresholds", 1], 0],
    ["a mapping both set", ["impact"], 0],
    ["a key nobody set, under a mapping only the base wrote", ["labels", "drift"], 1],
    ["the root", [], 0],
  ])("blames %s on the right layer", (_name, path, layer) => {
    const merged = mergeConfigLayers([
      { dialect: "bigquery", impact: { severity: [] }, signals: { thresholds: [{ dataset: "b" }] } },
      {
        dialect: "postgres",
        impact: { breakingConclusion: "nope" },
        signals: { thresholds: [{ dataset: "a", min: "x" }] },
        labels: {},
      },
    ]);
    expect(originOf(merged, path as (string | number)[])).toBe(layer);
  });

  it("forgets the base's children when the top replaces their parent", () => {
    const merged = mergeConfigLayers([{ canary: "off" }, { canary: { window: 3 } }]);
    expect(originOf(merged, ["canary", "window"])).toBe(0);
  });
});

const ref = (repo: string, path = CONFIG): ConfigFileRef => ({ owner: "acme", repo, path });
const layer = (repo: string, text: string, label = `acme/${repo}:${CONFIG}`) =>
  readConfigLayer(text, ref(repo), label);

describe("validateConfigLayers", () => {
  it("validates the merged result with the organisation's defaults under the repository's keys", () => {
    const config = validateConfigLayers([
      layer("app", "impact:\n  breakingConclusion: failure\n", CONFIG),
      layer(".github", "dialect: bigquery\nimpact:\n  severity:\n    - { path: 'legacy/**', level: warn }\n"),
    ]);
    expect(config.dialect).toBe("bigquery");
    expect(config.impact).toEqual({
      breakingConclusion: "failure",
      severity: [{ path: "legacy/**", level: "warn" }],
    });
  });

  it.each([
    [
      "a bad value in the base",
      "dialect: postgres\n",
      "impact:\n  breakingConclusion: nope\n",
      "impact.breakingConclusion",
      "acme/.github:.github/backflow.yml",
    ],
    ["a bad value in the repository", "dialect: oracle\n", "dialect: bigquery\n", "dialect", undefined],
    [
      "a bad list item the base added",
      "",
      "signals:\n  thresholds:\n    - { dataset: a, metric: m }\n",
      "signals.thresholds.0",
      "acme/.github:.github/backflow.yml",
    ],
    [
      "a bad list item the repository added",
      "signals:\n  thresholds:\n    - { dataset: b, metric: m }\n",
      "signals:\n  thresholds:\n    - { dataset: a, metric: m, min: 1 }\n",
      "signals.thresholds.1",
      undefined,
    ],
  ])("names the file that caused %s", (_name, top, base, path, file) => {
    const error = catchConfigError(() =>
      validateConfigLayers([layer("app", top, CONFIG), layer(".github", base)]),
    );
    expect(error.file).toBe(CONFIG);
    expect(error.problems.map((p) => [p.path, p.file])).toEqual([[path, file]]);
  });

  it("splits unknown keys by the file that wrote them", () => {
    const error = catchConfigError(() =>
      validateConfigLayers([layer("app", "dialekt: x\n", CONFIG), layer(".github", "lables: {}\n")]),
    );
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "", message: expect.stringContaining('"dialekt"') }),
        expect.objectContaining({
          file: "acme/.github:.github/backflow.yml",
          message: expect.stringContaining('"lables"'),
        }),
      ]),
    );
    expect(error.problems.find((p) => p.message.includes("dialekt"))?.file).toBeUndefined();
    expect(error.message).toContain('acme/.github:.github/backflow.yml: (root): unknown key(s) "lables"');
  });

  it("means the defaults when there are no layers", () => {
    expect(validateConfigLayers([]).dialect).toBe("postgres");
  });
});

function catchConfigError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

/** A read function over an in-memory organisation: `repo:path` → text. */
function reader(files: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    read: async (r: ConfigFileRef) => {
      const key = `${r.owner}/${r.repo}:${r.path}`;
      reads.push(key);
      return files[key] ?? null;
    },
  };
}

describe("resolveConfigChain", () => {
  const home = ref("app");

  it("follows a chain a → b → c and lists every base", async () => {
    const { read } = reader({
      "acme/b:.github/backflow.yml": "_extends: c:shared/c.yml\nlabels: { drift: b }\n",
      "acme/c:shared/c.yml": "dialect: bigquery\n",
    });
    const chain = await resolveConfigChain({ home, homeText: "_extends: b\n", read });
    expect(chain.ok && chain.layers.map((l) => l.label)).toEqual([
      CONFIG,
      "acme/b:.github/backflow.yml",
      "acme/c:shared/c.yml",
    ]);
    expect(chain.bases).toEqual([ref("b"), ref("c", "shared/c.yml")]);
    expect(chain.ok && validateConfigLayers(chain.layers).dialect).toBe("bigquery");
  });

  it("uses the organisation's .github file when the repository has none", async () => {
    const { read } = reader({ "acme/.github:.github/backflow.yml": "dialect: snowflake\n" });
    const chain = await resolveConfigChain({ home, homeText: null, read });
    expect(chain).toMatchObject({ ok: true, source: "organization", bases: [ref(".github")] });
  });

  it("means the defaults when neither exists, and remembers the organisation file it looked for", async () => {
    const chain = await resolveConfigChain({ home, homeText: null, read: reader({}).read });
    expect(chain).toEqual({ ok: true, layers: [], source: "defaults", bases: [ref(".github")] });
  });

  it("does not fall back from the .github repository to itself", async () => {
    const { read, reads } = reader({});
    const chain = await resolveConfigChain({ home: ref(".github"), homeText: null, read });
    expect(chain).toMatchObject({ ok: true, source: "defaults", bases: [] });
    expect(reads).toEqual([]);
  });

  it.each([
    [
      "a missing base",
      { "acme/b:.github/backflow.yml": "_extends: c\n" },
      "acme/b:.github/backflow.yml",
      /points at acme\/c:\.github\/backflow\.yml, which does not exist or which Backflow cannot read\. Create that file, fix `_extends`/,
    ],
    [
      "a loop",
      { "acme/b:.github/backflow.yml": "_extends: app\n" },
      "acme/b:.github/backflow.yml",
      /loops back to a file already read: \.github\/backflow\.yml → acme\/b:\.github\/backflow\.yml → \.github\/backflow\.yml/,
    ],
    [
      "a self-loop",
      { "acme/b:.github/backflow.yml": "_extends: b\n" },
      "acme/b:.github/backflow.yml",
      /loops back/,
    ],
    [
      "a malformed _extends in a base",
      { "acme/b:.github/backflow.yml": "_extends: [x]\n" },
      "acme/b:.github/backflow.yml",
      /a list/,
    ],
    [
      "a base that is not a mapping",
      { "acme/b:.github/backflow.yml": "- a\n- b\n" },
      "acme/b:.github/backflow.yml",
      /must be a mapping/,
    ],
    [
      "a YAML error in a base",
      { "acme/b:.github/backflow.yml": "a: [\n" },
      "acme/b:.github/backflow.yml",
      /./,
    ],
  ])("reports %s as an error naming the file", async (_name, files, file, message) => {
    const chain = await resolveConfigChain({ home, homeText: "_extends: b\n", read: reader(files).read });
    expect(chain.ok).toBe(false);
    if (chain.ok) return;
    expect(chain.error.file).toBe(file);
    expect(chain.error.problems[0]?.message).toMatch(message);
  });

  it("stops a chain deeper than the limit, naming every file", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 8; i++) files[`acme/r${i}:.github/backflow.yml`] = `_extends: r${i + 1}\n`;
    const chain = await resolveConfigChain({
      home,
      homeText: "_extends: r0\n",
      read: reader(files).read,
      maxDepth: 3,
    });
    expect(chain.ok).toBe(false);
    if (chain.ok) return;
    expect(chain.error.problems[0]?.message).toContain("limited to 3 files deep");
    expect(chain.error.problems[0]?.message).toContain(
      "acme/r2:.github/backflow.yml → acme/r3:.github/backflow.yml",
    );
    expect(chain.bases).toHaveLength(3);
  });

  it("remembers the missing base among the bases, so creating it later is seen", async () => {
    const chain = await resolveConfigChain({ home, homeText: "_extends: b\n", read: reader({}).read });
    expect(chain.bases).toEqual([ref("b")]);
  });
});

describe("parseConfig and _extends", () => {
  it("hands the spec to onExtends and uses the file alone", () => {
    const seen: string[] = [];
    const config = parseConfig("_extends: acme/.github\ndialect: trino\n", CONFIG, {
      onExtends: (s) => seen.push(s),
    });
    expect(config.dialect).toBe("trino");
    expect(seen).toEqual(["acme/.github"]);
  });

  it("refuses _extends where nothing can resolve it, rather than dropping the base silently", () => {
    expect(() => parseConfig("_extends: acme/.github\n")).toThrow(
      /_extends: is resolved only by the Backflow app/,
    );
  });
});

describe("effectOnDependent", () => {
  const shared = ref(".github");
  const chainOf = (text: string) => resolveChainFrom({ start: shared, text, read: reader({}).read });
  const own = [{ file: ref("app"), value: { dialect: "bigquery" } }];

  it.each([
    [
      "a key the repository sets itself",
      own,
      "dialect: postgres\n",
      "dialect: trino\n",
      { kind: "unchanged" },
    ],
    ["a key it inherits", own, "review: weekly\n", "review: off\n", { kind: "changes", keys: ["review"] }],
    [
      "a nested key",
      [],
      "impact: { breakingConclusion: failure }\n",
      "{}\n",
      { kind: "changes", keys: ["impact.breakingConclusion"] },
    ],
    ["a bad value", own, "review: weekly\n", "review: daily\n", { kind: "becomes-invalid" }],
    ["a fixed value", own, "review: daily\n", "review: weekly\n", { kind: "becomes-valid" }],
  ])("sees %s", async (_name, above, before, after, expected) => {
    const effect = effectOnDependent({ above, before: await chainOf(before), after: await chainOf(after) });
    expect(effect).toMatchObject(expected);
  });

  it("names the shared file in the problems of a repository it breaks", async () => {
    const effect = effectOnDependent({
      above: own,
      before: await chainOf(""),
      after: await chainOf("review: daily\n"),
    });
    expect(effect).toMatchObject({
      kind: "becomes-invalid",
      problems: [{ path: "review", file: "acme/.github:.github/backflow.yml" }],
    });
  });

  it("sees a loop the new file would make through the repository", async () => {
    const effect = effectOnDependent({
      above: [{ file: ref("b"), value: {} }],
      before: await chainOf(""),
      after: {
        ok: true,
        layers: [layer(".github", "_extends: b\n"), layer("b", "")],
        source: "file",
        bases: [],
      },
    });
    expect(effect).toMatchObject({
      kind: "becomes-invalid",
      problems: [{ message: expect.stringContaining("loop") }],
    });
  });

  it("lists no keys for equal configurations", () => {
    const config = parseConfig(undefined);
    expect(changedKeys(config, config)).toEqual([]);
  });
});
