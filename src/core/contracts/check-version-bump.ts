import type { Contract } from "./contract.js";
import { type ContractChange, makeChange, needsSignOff } from "./contract-change.js";

type Semver = { major: number; minor: number; patch: number };

function parseSemver(version: string | undefined): Semver | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec((version ?? "").trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/**
 * The "major" part of a version: for 0.y.z, where semver promises nothing, the minor number plays
 * that role (as Cargo and npm's caret ranges treat it).
 */
function compatibilityKey(v: Semver): string {
  return v.major === 0 ? `0.${v.minor}` : String(v.major);
}

const IGNORED = new Set(["version_changed", "version_not_bumped"]);

/**
 * The version rule: a contract with breaking (or undecided) changes needs a new major version
 * (minor for 0.x); any other change needs at least some bump, or a note reminds the author.
 * Contracts without a version on either side (dbt model contracts) are skipped: dbt versions models itself.
 */
export function checkVersionBump(
  base: Contract | null,
  head: Contract | null,
  changes: readonly ContractChange[],
): ContractChange[] {
  if (!base || !head || (base.version === undefined && head.version === undefined)) return [];
  const relevant = changes.filter((c) => c.contractId === head.id && !IGNORED.has(c.kind));
  if (relevant.length === 0) return [];
  const line = head.versionLine ?? 1;
  const fields = {
    contractId: head.id,
    file: head.file,
    dataset: head.datasets[0]?.tableId ?? head.id,
    before: base.version,
    after: head.version,
    line,
  };
  const before = parseSemver(base.version);
  const after = parseSemver(head.version);
  const bumped = base.version?.trim() !== head.version?.trim();
  if (relevant.some(needsSignOff)) {
    const majorBumped =
      before && after
        ? compatibilityKey(before) !== compatibilityKey(after) && !isLower(after, before)
        : bumped;
    if (majorBumped) return [];
    const wanted = before
      ? before.major === 0
        ? `0.${before.minor + 1}.0`
        : `${before.major + 1}.0.0`
      : "a new major version";
    return [
      makeChange("version_not_bumped", {
        ...fields,
        message: `contract ${head.id} has breaking changes but its version went ${base.version ?? "none"} → ${head.version ?? "none"}; set version: ${wanted}`,
      }),
    ];
  }
  if (bumped) return [];
  return [
    makeChange(
      "version_not_bumped",
      {
        ...fields,
        message: `contract ${head.id} changed without a version bump; consider version: ${before ? `${before.major}.${before.minor}.${before.patch + 1}` : "a new version"} or a minor bump for additions`,
      },
      "non-breaking",
    ),
  ];
}

function isLower(a: Semver, b: Semver): boolean {
  return a.major !== b.major
    ? a.major < b.major
    : a.minor !== b.minor
      ? a.minor < b.minor
      : a.patch < b.patch;
}
