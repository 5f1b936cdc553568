import { ConfigError } from "../errors.js";
import {
  type ConfigFileRef,
  describeConfigFile,
  ORG_CONFIG_REPO,
  sameConfigFile,
  sameRepo,
} from "./config-file-ref.js";
import { EXTENDS_KEY } from "./parse-config.js";
import { type ConfigLayer, readConfigLayer } from "./read-config-layer.js";

/** At most this many `_extends` are followed from one file; deeper chains are almost surely a mistake. */
export const MAX_EXTENDS_DEPTH = 5;

/** Where a repository's configuration came from. */
export type ConfigSource = "file" | "organization" | "defaults";

export type ConfigChain =
  | {
      readonly ok: true;
      /** Top first: the repository's own file (or the organisation's), then each base in turn. */
      readonly layers: readonly ConfigLayer[];
      readonly source: ConfigSource;
      /** Every file other than the repository's own that was read or looked for, in order. */
      readonly bases: readonly ConfigFileRef[];
    }
  | {
      readonly ok: false;
      readonly error: ConfigError;
      readonly bases: readonly ConfigFileRef[];
      /** The files read before the problem (an invalid file is not among them). */
      readonly layers: readonly ConfigLayer[];
    };

/** Reads a file's text; null when it does not exist or cannot be read with the installation's access. */
export type ReadConfigFile = (ref: ConfigFileRef) => Promise<string | null>;

/**
 * Follows a configuration's `_extends` chain as Probot does: the repository's own file, or when it
 * has none the same path in the owner's `.github` repository; then each `_extends` in turn. A
 * missing or unreadable base, a loop or a chain deeper than `maxDepth` is a ConfigError naming the
 * file whose `_extends` leads there. `bases` is returned either way, so callers can remember which
 * shared files a repository depends on even while it is broken.
 * @example await resolveConfigChain({ home, homeText: "_extends: .github\n", read })
 */
export async function resolveConfigChain(input: {
  /** The repository's own configuration file (owner and repository as GitHub spells them). */
  home: ConfigFileRef;
  /** Its text, or null when the repository has no such file. */
  homeText: string | null;
  read: ReadConfigFile;
  maxDepth?: number;
}): Promise<ConfigChain> {
  const { home } = input;
  const label = (ref: ConfigFileRef) => describeConfigFile(ref, home);
  if (input.homeText !== null)
    return follow({ ...input, start: home, text: input.homeText, label, bases: [] });
  if (sameRepo(home, { owner: home.owner, repo: ORG_CONFIG_REPO })) {
    return { ok: true, layers: [], source: "defaults", bases: [] };
  }
  const org: ConfigFileRef = { owner: home.owner, repo: ORG_CONFIG_REPO, path: home.path };
  const text = await input.read(org);
  if (text === null) return { ok: true, layers: [], source: "defaults", bases: [org] };
  const chain = await follow({ ...input, start: org, text, label, bases: [org] });
  return chain.ok ? { ...chain, source: "organization" } : chain;
}

/**
 * The chain that starts at one file whose text is known (e.g. a shared file as a pull request
 * changes it), every name in messages spelt `owner/repo:path`.
 */
export function resolveChainFrom(input: {
  start: ConfigFileRef;
  text: string;
  read: ReadConfigFile;
  maxDepth?: number;
}): Promise<ConfigChain> {
  return follow({ ...input, label: (ref) => describeConfigFile(ref), bases: [] });
}

async function follow(input: {
  start: ConfigFileRef;
  text: string;
  read: ReadConfigFile;
  maxDepth?: number;
  label: (ref: ConfigFileRef) => string;
  bases: ConfigFileRef[];
}): Promise<ConfigChain> {
  const { read, label, bases } = input;
  const maxDepth = input.maxDepth ?? MAX_EXTENDS_DEPTH;
  const layers: ConfigLayer[] = [];
  const fail = (error: ConfigError): ConfigChain => ({ ok: false, error, bases, layers });
  try {
    let layer = readConfigLayer(input.text, input.start, label(input.start));
    layers.push(layer);
    while (layer.extends) {
      const next = layer.extends;
      const chain = [...layers.map((l) => l.label), label(next)].join(" → ");
      const from = layer;
      const problem = (message: string) => new ConfigError(from.label, [{ path: EXTENDS_KEY, message }]);
      if (layers.some((l) => sameConfigFile(l.file, next))) {
        return fail(problem(`\`_extends\` loops back to a file already read: ${chain}; remove one of them`));
      }
      if (layers.length > maxDepth) {
        return fail(
          problem(
            `\`_extends\` chains are limited to ${maxDepth} files deep: ${chain}; extend the last base directly`,
          ),
        );
      }
      bases.push(next);
      const text = await read(next);
      if (text === null) {
        return fail(
          problem(
            `\`_extends: ${from.extendsSpec}\` points at ${label(next)}, which does not exist or which Backflow cannot read. Create that file, fix \`_extends\`, or — if ${next.owner}/${next.repo} is private — make sure Backflow is installed on it.`,
          ),
        );
      }
      layer = readConfigLayer(text, next, label(next));
      layers.push(layer);
    }
    return { ok: true, layers, source: "file", bases };
  } catch (error) {
    if (error instanceof ConfigError) return fail(error);
    throw error;
  }
}
