import nock from "nock";
import { recordRequest } from "./openapi-conformance.js";

export const GITHUB_API = "https://api.github.com";

/**
 * A nock scope for api.github.com whose every intercepted request is recorded for the OpenAPI
 * conformance check that runs after each test (see setup.ts). Use this instead of bare `nock()`.
 */
export function githubApi(options: { persist?: boolean } = {}): nock.Scope {
  const scope = nock(GITHUB_API);
  if (options.persist) scope.persist();
  scope.on("request", (req: { method?: string; path?: string }, _interceptor: unknown, body: string) => {
    recordRequest({ method: req.method ?? "GET", path: req.path ?? "/", body });
  });
  return scope;
}

/**
 * Answers the installation access-token request Probot makes before the first call of an event.
 * Persisted: Probot caches the token per instance, so tests need not count these.
 */
export function mockInstallationToken(installationId = 1): nock.Scope {
  return githubApi({ persist: true })
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(201, {
      token: "ghs_test",
      expires_at: "2999-01-01T00:00:00Z",
      permissions: {
        checks: "write",
        contents: "write",
        issues: "write",
        pull_requests: "write",
        metadata: "read",
      },
      repository_selection: "all",
    });
}

/** A 404 body exactly as GitHub sends it. */
export const NOT_FOUND = {
  message: "Not Found",
  documentation_url: "https://docs.github.com/rest",
  status: "404",
};

/** Base64 as the contents and blobs APIs return it (wrapped at 60 columns, like GitHub). */
export function githubBase64(text: string): string {
  return (
    Buffer.from(text, "utf8")
      .toString("base64")
      .match(/.{1,60}/g)
      ?.join("\n") ?? ""
  );
}

/** A contents API file response for `path` with `text`. */
export function contentFile(path: string, text: string, sha = "3d21ec53a331a6f037a91c368710b99387d012c1") {
  return {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(text),
    name: path.split("/").pop(),
    path,
    content: githubBase64(text),
    sha,
  };
}

/** The contents API path of a file (GitHub clients encode the slashes of `path`). */
export function contentsPath(owner: string, repo: string, path: string): string {
  return `/repos/${owner}/${repo}/contents/${encodeURIComponent(path)}`;
}

/**
 * Answers a read of `.github/backflow.yml` (at `ref`, or the default branch when omitted) with `text`,
 * or with 404 when `text` is null. A repository without the file makes Backflow look for its owner's
 * organisation default (`<owner>/.github`'s `.github/backflow.yml`, as Probot does): `orgText` answers
 * that read (404 when null or omitted).
 */
export function mockConfigFile(
  scope: nock.Scope,
  input: { owner: string; repo: string; ref?: string; text: string | null; orgText?: string | null },
): nock.Scope {
  const path = ".github/backflow.yml";
  const interceptor = scope
    .get(contentsPath(input.owner, input.repo, path))
    .query(input.ref ? { ref: input.ref } : {});
  if (input.text !== null) return interceptor.reply(200, contentFile(path, input.text));
  const answered = interceptor.reply(404, NOT_FOUND);
  if (input.repo.toLowerCase() === ".github") return answered;
  return mockOrgConfigFile(answered, { owner: input.owner, text: input.orgText ?? null });
}

/** Answers the read of an organisation's default config, `<owner>/.github`'s `.github/backflow.yml` (404 when `text` is null). */
export function mockOrgConfigFile(
  scope: nock.Scope,
  input: { owner: string; text: string | null },
): nock.Scope {
  const path = ".github/backflow.yml";
  const interceptor = scope.get(contentsPath(input.owner, ".github", path));
  return input.text === null
    ? interceptor.reply(404, NOT_FOUND)
    : interceptor.reply(200, contentFile(path, input.text));
}
