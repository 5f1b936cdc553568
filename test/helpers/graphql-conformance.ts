import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { GraphQLSchema, OperationDefinitionNode } from "graphql";

/**
 * Checks GraphQL requests sent to GitHub (`POST /graphql`) against GitHub's published schema
 * (@octokit/graphql-schema): the document must parse and validate (fields, arguments, types,
 * fragments), and the variables must coerce to the operation's declared variable types, with every
 * required one present and none undeclared.
 */

type GraphqlModule = typeof import("graphql");

let cached: { graphql: GraphqlModule; schema: GraphQLSchema; loadMs: number } | undefined;

/**
 * Builds GitHub's schema once per test process, only when a GraphQL request needs checking. The
 * package's index builds a schema of its own on import, asynchronously, and its IDL does not pass
 * `buildSchema` (duplicate fields), so the introspection JSON it ships is read and built here.
 */
function load(): NonNullable<typeof cached> {
  if (cached) return cached;
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const graphql = require("graphql") as GraphqlModule;
  const file = new URL("./schema.json", import.meta.resolve("@octokit/graphql-schema"));
  const schema = graphql.buildClientSchema(JSON.parse(readFileSync(file, "utf8")));
  cached = { graphql, schema, loadMs: performance.now() - started };
  return cached;
}

/** GitHub's GraphQL schema (built on first use) and how long building it took, in milliseconds. */
export function githubGraphqlSchema(): { schema: GraphQLSchema; loadMs: number } {
  const { schema, loadMs } = load();
  return { schema, loadMs };
}

type GraphqlBody = { query: string; variables: Record<string, unknown>; operationName?: string };

function readBody(text: string): GraphqlBody | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "the body is not JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return "the body is not a JSON object";
  const record = body as Record<string, unknown>;
  if (typeof record.query !== "string") return 'the body has no "query" string';
  const variables = record.variables ?? {};
  if (typeof variables !== "object" || variables === null || Array.isArray(variables))
    return '"variables" is not an object';
  const unknownKeys = Object.keys(record).filter((k) => !["query", "variables", "operationName"].includes(k));
  if (unknownKeys.length > 0) return `unknown body fields ${unknownKeys.map((k) => `"${k}"`).join(", ")}`;
  return {
    query: record.query,
    variables: variables as Record<string, unknown>,
    ...(typeof record.operationName === "string" ? { operationName: record.operationName } : {}),
  };
}

function pickOperation(
  operations: readonly OperationDefinitionNode[],
  name: string | undefined,
): OperationDefinitionNode | string {
  if (name !== undefined) {
    return operations.find((op) => op.name?.value === name) ?? `no operation is named "${name}"`;
  }
  const [only, ...rest] = operations;
  if (!only) return "the document has no operation";
  return rest.length === 0 ? only : "the document has several operations but no operationName";
}

/** Problems with the variables sent for `operation`: undeclared names, missing or mistyped values. */
function variableProblems(
  graphql: GraphqlModule,
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): string[] {
  const definitions = operation.variableDefinitions ?? [];
  const declared = new Set(definitions.map((d) => d.variable.name.value));
  const undeclared = Object.keys(variables)
    .filter((name) => !declared.has(name))
    .map((name) => `variable "$${name}" is sent but the operation does not declare it`);
  const coerced = graphql.getVariableValues(schema, definitions, variables);
  return [...undeclared, ...(coerced.errors ?? []).map((e) => e.message)];
}

/** Every way a `POST /graphql` body departs from GitHub's GraphQL schema; empty when it conforms. */
export function checkGraphqlRequest(bodyText: string): string[] {
  const body = readBody(bodyText);
  const problems = ((): string[] => {
    if (typeof body === "string") return [body];
    const { graphql, schema } = load();
    let document: ReturnType<GraphqlModule["parse"]>;
    try {
      document = graphql.parse(body.query);
    } catch (error) {
      return [`the query does not parse: ${error instanceof Error ? error.message : String(error)}`];
    }
    const invalid = graphql.validate(schema, document).map((e) => e.message);
    if (invalid.length > 0) return invalid;
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === graphql.Kind.OPERATION_DEFINITION,
    );
    const operation = pickOperation(operations, body.operationName);
    if (typeof operation === "string") return [operation];
    return variableProblems(graphql, schema, operation, body.variables);
  })();
  return problems.map((p) => `POST /graphql: ${p}`);
}
