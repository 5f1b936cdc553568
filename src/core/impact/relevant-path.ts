/**
 * Whether impact analysis reads a file: SQL models, YAML (config, dbt projects and properties,
 * contracts) and CODEOWNERS. Everything else in a repository is never fetched.
 */
export function isRelevantPath(path: string): boolean {
  return /\.(sql|ya?ml)$/i.test(path) || /(^|\/)CODEOWNERS$/.test(path);
}
