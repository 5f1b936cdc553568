/**
 * A repository snapshot as the core sees it: paths (POSIX, relative to the root) to text contents.
 * `shas` optionally carries the Git blob SHA of each file so parse results can be cached by content.
 */
export type RepoFiles = ReadonlyMap<string, string>;

export type RepoSnapshot = {
  readonly files: RepoFiles;
  /** path → Git blob SHA (or a content hash for local files). */
  readonly shas?: ReadonlyMap<string, string>;
};
