import { describe, expect, it } from "vitest";
import { checkRequest, findRoute } from "./openapi-conformance.js";

const checkRunBody = JSON.stringify({
  name: "Backflow: contract impact",
  head_sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
  status: "completed",
  conclusion: "neutral",
  output: { title: "t", summary: "s" },
});

describe("checkRequest", () => {
  it("passes a correct check-run create", () => {
    expect(checkRequest({ method: "POST", path: "/repos/o/r/check-runs", body: checkRunBody })).toEqual([]);
  });

  it.each([
    ["an unknown path", "POST", "/repos/o/r/check-runz", checkRunBody, "no operation has the path"],
    ["a wrong method", "DELETE", "/repos/o/r/check-runs", "", "has no DELETE operation"],
    [
      "an unknown body field",
      "POST",
      "/repos/o/r/check-runs",
      JSON.stringify({ name: "n", head_sha: "s", colour: "red" }),
      'unknown body field "colour"',
    ],
    [
      "a missing required field",
      "POST",
      "/repos/o/r/check-runs",
      JSON.stringify({ name: "n" }),
      'missing required body field "head_sha"',
    ],
    [
      "a value outside the enum",
      "POST",
      "/repos/o/r/check-runs",
      JSON.stringify({ name: "n", head_sha: "s", conclusion: "great" }),
      'body field "conclusion" is "great"',
    ],
    [
      "completed without a conclusion (anyOf branch)",
      "PATCH",
      "/repos/o/r/check-runs/4",
      JSON.stringify({ status: "completed" }),
      "matches none of the alternatives",
    ],
    [
      "an unknown query parameter",
      "GET",
      "/repos/o/r/issues?colour=red",
      "",
      'unknown query parameter "colour"',
    ],
  ])("fails %s", (_name, method, path, body, expected) => {
    const problems = checkRequest({ method, path, body });
    expect(problems.join("\n")).toContain(expected);
  });

  it("prefers the template with more literal segments", () => {
    expect(findRoute("/repos/o/r/commits/abc/check-runs")?.template).toBe(
      "/repos/{owner}/{repo}/commits/{ref}/check-runs",
    );
    expect(findRoute("/repos/o/r/check-runs/12")?.template).toBe(
      "/repos/{owner}/{repo}/check-runs/{check_run_id}",
    );
  });

  it("accepts declared query parameters and a closing issue update", () => {
    expect(
      checkRequest({
        method: "GET",
        path: "/repos/o/r/commits/abc/check-runs?check_name=x&filter=latest",
        body: "",
      }),
    ).toEqual([]);
    expect(
      checkRequest({
        method: "PATCH",
        path: "/repos/o/r/issues/3",
        body: JSON.stringify({ state: "closed", state_reason: "completed" }),
      }),
    ).toEqual([]);
  });
});
