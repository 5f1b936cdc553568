import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeConfigLayers, originOf } from "../../src/core/config/merge-config-layers.js";
import { resolveExtendsSpec } from "../../src/core/config/resolve-extends-spec.js";
import { fuzzParameters } from "./fuzz-options.js";

/** Layers of two-level mappings with scalar leaves over a small key space, so layers overlap. */
const key = fc.constantFrom("a", "b", "c", "d.e");
const layer = fc.dictionary(key, fc.dictionary(key, fc.oneof(fc.integer(), fc.string()), { maxKeys: 3 }), {
  maxKeys: 3,
});

describe("merging configuration layers", () => {
  it("blames every leaf on the top-most layer that set it, and keeps that layer's value", () => {
    fc.assert(
      fc.property(fc.array(layer, { minLength: 1, maxLength: 4 }), (layers) => {
        const merged = mergeConfigLayers(layers);
        for (const [section, leaves] of Object.entries(merged.value)) {
          for (const [leaf, value] of Object.entries(leaves as Record<string, unknown>)) {
            const top = layers.findIndex((l) => l[section] !== undefined && leaf in (l[section] ?? {}));
            expect(originOf(merged, [section, leaf])).toBe(top);
            expect(value).toEqual(layers[top]?.[section]?.[leaf]);
          }
        }
      }),
      fuzzParameters(),
    );
  });

  it("concatenates lists: the base's items, then each of the top's not already there", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 })),
        fc.array(fc.integer({ min: 0, max: 5 })),
        (top, base) => {
          const merged = mergeConfigLayers([{ l: top }, { l: base }]).value.l as number[];
          const expected = [...base];
          for (const item of top) if (!expected.includes(item)) expected.push(item);
          expect(merged).toEqual(expected);
          merged.forEach((_, i) => {
            expect(originOf(mergeConfigLayers([{ l: top }, { l: base }]), ["l", i])).toBe(
              i < base.length ? 1 : 0,
            );
          });
        },
      ),
      fuzzParameters(),
    );
  });
});

describe("reading an _extends value", () => {
  it("never throws, and names a repository and a YAML path whenever it accepts", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (value) => {
        const result = resolveExtendsSpec(value, { owner: "acme" });
        if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
        else {
          expect(result.ref.repo).toMatch(/^[-_.a-z\d]+$/i);
          expect(result.ref.path).toMatch(/\.ya?ml$/i);
          expect(result.ref.path.split("/")).not.toContain("..");
        }
      }),
      fuzzParameters(200),
    );
  });
});
