import { describe, expect, it } from "vitest";
import { checkGraphqlRequest, githubGraphqlSchema } from "./graphql-conformance.js";
import { checkRequest } from "./openapi-conformance.js";

const PIN = "mutation PinIssue($issueId: ID!) { pinIssue(input: { issueId: $issueId }) { issue { id } } }";
const body = (query: string, variables?: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ query, ...(variables === undefined ? {} : { variables }), ...extra });

describe("checkGraphqlRequest", () => {
  it("passes a valid pinIssue mutation with its variables", () => {
    expect(checkGraphqlRequest(body(PIN, { issueId: "I_kwDOA1b2c84A" }))).toEqual([]);
  });

  it("passes a query without variables", () => {
    expect(checkGraphqlRequest(body("{ viewer { login } }"))).toEqual([]);
  });

  it.each([
    [
      "a misspelled field",
      body(PIN.replace("issue { id }", "isue { id }"), { issueId: "I_1" }),
      'Cannot query field "isue" on type "PinIssuePayload"',
    ],
    [
      "a misspelled mutation",
      body(PIN.replace("pinIssue(", "pinIsue("), { issueId: "I_1" }),
      'Cannot query field "pinIsue" on type "Mutation"',
    ],
    [
      "a missing required variable",
      body(PIN, {}),
      'Variable "$issueId" of required type "ID!" was not provided',
    ],
    ["no variables at all", body(PIN), 'Variable "$issueId" of required type "ID!" was not provided'],
    ["a wrong variable type", body(PIN, { issueId: { id: "I_1" } }), 'Variable "$issueId" got invalid value'],
    ["a null required variable", body(PIN, { issueId: null }), 'Variable "$issueId" of non-null type "ID!"'],
    [
      "a variable the operation does not declare",
      body(PIN, { issueId: "I_1", issue_id: "I_1" }),
      'variable "$issue_id" is sent but the operation does not declare it',
    ],
    [
      "a variable declared with the wrong type for its argument",
      body(PIN.replace("ID!", "Int!"), { issueId: 1 }),
      'Variable "$issueId" of type "Int!" used in position expecting type "ID!"',
    ],
    ["a syntax error", body("mutation { pinIssue(input: { issueId: 1 }) {"), "the query does not parse"],
    ["a body that is not JSON", "query=x", "the body is not JSON"],
    ["a body without a query", JSON.stringify({ variables: {} }), 'the body has no "query" string'],
    [
      "several operations without operationName",
      body(`${PIN} query Other { viewer { login } }`, { issueId: "I_1" }),
      "several operations but no operationName",
    ],
  ])("fails %s", (_name, text, expected) => {
    const problems = checkGraphqlRequest(text);
    expect(problems.join("\n")).toContain(expected);
    expect(problems.every((p) => p.startsWith("POST /graphql: "))).toBe(true);
  });

  it("picks the operation named by operationName and checks only its variables", () => {
    const doc = `${PIN} query Other($login: String!) { user(login: $login) { id } }`;
    expect(checkGraphqlRequest(body(doc, { login: "octocat" }, { operationName: "Other" }))).toEqual([]);
    expect(
      checkGraphqlRequest(body(doc, { login: "octocat" }, { operationName: "PinIssue" })),
    ).toContainEqual(expect.stringContaining('"$issueId" of required type "ID!" was not provided'));
  });

  it("builds GitHub's schema once per process", () => {
    const first = githubGraphqlSchema();
    checkGraphqlRequest(body(PIN, { issueId: "I_1" }));
    const second = githubGraphqlSchema();
    expect(second.schema).toBe(first.schema);
    expect(second.loadMs).toBe(first.loadMs);
    expect(first.schema.getMutationType()?.getFields().pinIssue).toBeDefined();
  });
});

describe("checkRequest hands GraphQL requests to the GraphQL checker", () => {
  it("passes a valid POST /graphql and reports a broken one", () => {
    expect(checkRequest({ method: "POST", path: "/graphql", body: body(PIN, { issueId: "I_1" }) })).toEqual(
      [],
    );
    expect(checkRequest({ method: "POST", path: "/graphql", body: body(PIN, {}) })).toEqual([
      expect.stringContaining('"$issueId" of required type "ID!" was not provided'),
    ]);
  });
});
