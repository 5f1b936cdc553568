import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { checkGraphqlRequest } from "./graphql-conformance.js";

/**
 * Checks requests sent to GitHub against GitHub's own OpenAPI description: the method and path must
 * name an operation, query parameters must be declared, and a JSON body may only use fields the
 * operation's requestBody schema has, with every required one present.
 */

export type RecordedRequest = { readonly method: string; readonly path: string; readonly body: string };

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  nullable?: boolean;
};
type Parameter = { $ref?: string; name?: string; in?: string };
type Operation = {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, Parameter> };
};
type Route = { template: string; segments: RegExp[]; literals: number; methods: Record<string, Operation> };

let cached: { spec: Spec; routes: Route[] } | undefined;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileSegment(segment: string): RegExp {
  const pattern = segment
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : escapeRegExp(part)))
    .join("");
  return new RegExp(`^${pattern}$`);
}

/** Parses the 13 MB description once per test process, only when a request needs checking. */
function load(): { spec: Spec; routes: Route[] } {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const spec = JSON.parse(readFileSync(file, "utf8")) as Spec;
  const routes = Object.entries(spec.paths).map(([template, methods]) => {
    const parts = template.split("/").slice(1);
    return {
      template,
      segments: parts.map(compileSegment),
      literals: parts.filter((p) => !p.includes("{")).length,
      methods,
    };
  });
  cached = { spec, routes };
  return cached;
}

function resolve<T extends { $ref?: string }>(spec: Spec, node: T): T {
  let current: T = node;
  for (let depth = 0; current.$ref && depth < 20; depth++) {
    const [, , section, name] = current.$ref.split("/");
    const table = (section === "parameters" ? spec.components.parameters : spec.components.schemas) as Record<
      string,
      unknown
    >;
    const target = name === undefined ? undefined : table[name];
    if (target === undefined) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = target as T;
  }
  return current;
}

/** Finds the operation for a concrete path; the template with the most literal segments wins. */
export function findRoute(path: string): Route | undefined {
  const parts = path.split("/").slice(1);
  const matches = load().routes.filter(
    (r) => r.segments.length === parts.length && r.segments.every((re, i) => re.test(parts[i] ?? "")),
  );
  return matches.sort((a, b) => b.literals - a.literals)[0];
}

/** Top-level property names a schema allows, or "any" when it admits additional properties. */
function allowedFields(spec: Spec, raw: Schema): Set<string> | "any" {
  const schema = resolve(spec, raw);
  if (schema.additionalProperties === true || typeof schema.additionalProperties === "object") return "any";
  const fields = new Set(Object.keys(schema.properties ?? {}));
  for (const branch of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    const inner = resolve(spec, branch);
    for (const key of Object.keys(inner.properties ?? {})) fields.add(key);
    if (inner.allOf || inner.anyOf || inner.oneOf) {
      const nested = allowedFields(spec, { ...inner, additionalProperties: false });
      if (nested === "any") return "any";
      for (const key of nested) fields.add(key);
    }
  }
  return fields;
}

function typeMatches(type: string, value: unknown): boolean {
  if (type === "integer") return Number.isInteger(value);
  if (type === "array") return Array.isArray(value);
  if (type === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
  return typeof value === type;
}

/** Required fields, enums and primitive types of one (branch) schema, as a list of problems. */
function constraintProblems(spec: Spec, raw: Schema, body: Record<string, unknown>): string[] {
  const schema = resolve(spec, raw);
  const problems = (schema.required ?? [])
    .filter((key) => !(key in body))
    .map((key) => `missing required body field "${key}"`);
  for (const [key, value] of Object.entries(body)) {
    const prop = schema.properties?.[key] ? resolve(spec, schema.properties[key]) : undefined;
    if (!prop || (value === null && prop.nullable)) continue;
    if (prop.enum && !prop.enum.includes(value)) {
      problems.push(
        `body field "${key}" is ${JSON.stringify(value)}, not one of ${JSON.stringify(prop.enum)}`,
      );
    } else if (typeof prop.type === "string" && !typeMatches(prop.type, value)) {
      problems.push(`body field "${key}" should be ${prop.type}`);
    }
  }
  for (const branch of schema.allOf ?? []) problems.push(...constraintProblems(spec, branch, body));
  for (const choice of [schema.anyOf, schema.oneOf]) {
    if (!choice || choice.length === 0) continue;
    const branchProblems = choice.map((b) => constraintProblems(spec, b, body));
    if (branchProblems.every((p) => p.length > 0)) {
      problems.push(
        `body matches none of the alternatives: ${branchProblems.map((p) => p.join(", ")).join(" | ")}`,
      );
    }
  }
  return problems;
}

function bodyProblems(spec: Spec, operation: Operation, bodyText: string): string[] {
  if (bodyText === "") return [];
  const schema = operation.requestBody?.content?.["application/json"]?.schema;
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return []; // raw uploads (markdown, octet-stream) carry no JSON fields to check
  }
  if (!schema) return ["the operation takes no JSON body, but one was sent"];
  if (typeof body !== "object" || body === null || Array.isArray(body)) return [];
  const record = body as Record<string, unknown>;
  const allowed = allowedFields(spec, schema);
  const unknown = allowed === "any" ? [] : Object.keys(record).filter((key) => !allowed.has(key));
  return [
    ...unknown.map((key) => `unknown body field "${key}"`),
    ...constraintProblems(spec, schema, record),
  ];
}

/** Every way `request` departs from GitHub's OpenAPI description; empty when it conforms. */
export function checkRequest(request: RecordedRequest): string[] {
  const url = new URL(request.path, "https://api.github.com");
  // GraphQL is outside the OpenAPI description; its own checker validates it against GitHub's schema.
  if (url.pathname === "/graphql" && request.method.toUpperCase() === "POST")
    return checkGraphqlRequest(request.body);
  const { spec } = load();
  const route = findRoute(url.pathname);
  if (!route) return [`no operation has the path ${url.pathname}`];
  const operation = route.methods[request.method.toLowerCase()];
  if (!operation) return [`${route.template} has no ${request.method} operation`];
  const queryNames = new Set(
    (operation.parameters ?? [])
      .map((p) => resolve(spec, p))
      .filter((p) => p.in === "query")
      .map((p) => p.name),
  );
  const problems = [...url.searchParams.keys()]
    .filter((name) => !queryNames.has(name))
    .map((name) => `unknown query parameter "${name}"`);
  problems.push(...bodyProblems(spec, operation, request.body));
  return problems.map((p) => `${request.method} ${url.pathname} (${operation.operationId}): ${p}`);
}

const recorded: RecordedRequest[] = [];

/** Called by github-nock's scopes for each intercepted request. */
export function recordRequest(request: RecordedRequest): void {
  recorded.push(request);
}

function assertConform(requests: readonly RecordedRequest[]): void {
  const problems = requests.flatMap(checkRequest);
  if (problems.length > 0) {
    throw new Error(
      `requests that do not match GitHub's OpenAPI description or GraphQL schema:\n  ${problems.join("\n  ")}`,
    );
  }
}

/**
 * Returns and forgets what was recorded since the last call, after checking it conforms: a test
 * that takes requests to read them must not take them out of the conformance check.
 */
export function takeRecordedRequests(): RecordedRequest[] {
  const taken = recorded.splice(0, recorded.length);
  assertConform(taken);
  return taken;
}

/** Throws, listing every problem, if any recorded request does not conform. Clears the record. */
export function assertRecordedRequestsConform(): void {
  assertConform(recorded.splice(0, recorded.length));
}
